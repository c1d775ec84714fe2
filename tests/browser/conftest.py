"""Every browser journey fails on a Content-Security-Policy violation.

The portal's policy forbids inline script and style: a template that slips one in works in a test
client but is blocked in a real browser. Each page of a journey reports violations to the console
(an init script listens for `securitypolicyviolation`; Chromium also logs its own console error), and
the journey fails at its end if any was seen. Contexts and pages a journey opens itself (a second
person's browser) are watched too.
"""

import pytest

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
});
"""


def is_csp_message(text: str) -> bool:
    return "CSP violation" in text or "Content Security Policy" in text


def watch(target, seen: list[str]) -> None:
    """Listen on a browser context or a page for CSP violations, appending each to `seen`."""
    target.add_init_script(REPORT_VIOLATIONS)
    target.on("console", lambda message: seen.append(message.text) if is_csp_message(message.text) else None)


@pytest.fixture
def csp_violations():
    """The CSP violations seen so far in this journey, in every browser context it used."""
    return []


@pytest.fixture(autouse=True)
def _fail_on_csp_violations(request, csp_violations, monkeypatch):
    names = request.fixturenames
    if "context" in names or "page" in names:
        watch(request.getfixturevalue("context"), csp_violations)
    if "browser" in names:
        browser = request.getfixturevalue("browser")
        new_context, new_page = browser.new_context, browser.new_page

        def watched_context(*args, **kwargs):
            context = new_context(*args, **kwargs)
            watch(context, csp_violations)
            return context

        def watched_page(*args, **kwargs):
            page = new_page(*args, **kwargs)
            watch(page, csp_violations)
            return page

        monkeypatch.setattr(browser, "new_context", watched_context)
        monkeypatch.setattr(browser, "new_page", watched_page)
    yield
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)
