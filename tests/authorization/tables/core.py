"""Sign-in, sign-out and passwords: the only pages open to someone not signed in."""

from tests.authorization.world import Row

EVERYONE_200 = dict.fromkeys(("anonymous", "staff", "governor", "head", "exec_head", "hr"), 200)
SIGNED_IN_200 = {"anonymous": 302, "staff": 200, "governor": 200, "head": 200, "exec_head": 200, "hr": 200}


def build(world) -> None:
    pass


ROWS = {
    # The health check for load balancers: open to everyone, and it says nothing about anyone.
    "healthz": Row(expect=EVERYONE_200),
    "login": Row(expect=EVERYONE_200),
    # Signing out is a POST; everyone ends on the sign-in page.
    "logout": Row(method="post", expect=dict.fromkeys(EVERYONE_200, 302)),
    "password_reset": Row(expect=EVERYONE_200),
    "password_reset_done": Row(expect=EVERYONE_200),
    "password_reset_confirm": Row(args=lambda w: ["MQ", "set-password"], expect=EVERYONE_200),
    "password_reset_complete": Row(expect=EVERYONE_200),
    "password_change": Row(expect=SIGNED_IN_200),
    "password_change_done": Row(expect=SIGNED_IN_200),
    # Browsers post Content-Security-Policy violation reports without a session or CSRF token: it only
    # logs them (tests/test_security_headers.py covers its limits).
    "csp_report": Row(method="post", expect=dict.fromkeys(EVERYONE_200, 204)),
}
