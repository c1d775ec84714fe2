from tests.authorization.headers import TALLY


def pytest_terminal_summary(terminalreporter):
    if TALLY:
        terminalreporter.write_line(
            f"authorization table: {TALLY['html_200_with_strict_csp']} of {TALLY['html_200']} HTML 200 "
            "answers "
            f"carry the strict CSP; {TALLY['signed_in_no_store_private']} of {TALLY['signed_in']} answers to "
            "signed-in people are no-store, private"
        )
