"""The headers every answer in the authorization table must carry: the CSP and, signed in, no-store.

Checked on every request the table makes (tests/authorization/test_url_table.py); the counts are printed
at the end of the run (tests/authorization/conftest.py) for the record.
"""

from collections import Counter

REQUIRED_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}
# Sources that would let inline or injected code run; none may appear in any directive.
FORBIDDEN_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:"}

TALLY: Counter = Counter()


def parse_csp(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = set(words[1:])
    return directives


def csp_problems(header: str | None) -> list[str]:
    """What is wrong with a Content-Security-Policy header against the portal's strict policy."""
    if not header:
        return ["no Content-Security-Policy header"]
    directives = parse_csp(header)
    problems = [
        f"CSP {name} is {sorted(directives.get(name, set()))}, not {sorted(sources)}"
        for name, sources in REQUIRED_CSP.items()
        if directives.get(name) != sources
    ]
    loose = {name: sorted(sources & FORBIDDEN_SOURCES) for name, sources in directives.items()}
    problems += [f"CSP {name} allows {bad}" for name, bad in loose.items() if bad]
    return problems


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def header_problems(response, *, signed_in: bool) -> list[str]:
    problems = []
    if is_html(response) and response.status_code == 200:
        problems += csp_problems(response.get("Content-Security-Policy"))
    if signed_in:
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        if not {"no-store", "private"} <= directives:
            problems.append(f"Cache-Control is {response.get('Cache-Control')!r}, not no-store, private")
    return problems


def tally(response, *, signed_in: bool) -> None:
    if is_html(response) and response.status_code == 200:
        TALLY["html_200"] += 1
        TALLY["html_200_with_strict_csp"] += not csp_problems(response.get("Content-Security-Policy"))
    if signed_in:
        TALLY["signed_in"] += 1
        cache = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        TALLY["signed_in_no_store_private"] += {"no-store", "private"} <= cache
