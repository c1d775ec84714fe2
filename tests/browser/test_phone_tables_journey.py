"""No page scrolls sideways on a 375 px phone: tables become stacked cards, and axe finds nothing.

A member of staff, a Head, HR and a governor of the demo trust (what `make run` loads) visit, at 375 px,
every page their menu and their home page link to, the list pages they use, and the portal's own 403 and
404 pages. On each: axe-core (every rule, colour contrast included) finds nothing, neither the page nor any
table (nor its scrolling container) is wider than the screen, and every table is stacked with each value
labelled. The same pages are visited again with JavaScript off: the labels and the stacking come from the
templates, not from static/js/stacked-tables.js.
"""

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
PASSWORD = "symphony-demo-2026"
HR, HEAD, STAFF, GOVERNOR = (
    "priya.shah@symphony.example",
    "sarah.okafor@symphony.example",
    "tom.baker@symphony.example",
    "margaret.ellis@symphony.example",
)
# Pages each role uses that are not (all) one link from the menu or home page; those links are followed too.
PAGES = {
    HR: [
        "/",
        "/approvals/",
        "/approvals/requests/",
        "/approvals/groups/",
        "/acknowledgements/",
        "/acknowledgements/compliance/",
        "/acknowledgements/compliance/schools/harmony-primary/",
        "/acknowledgements/compliance/central-team/",
        "/acknowledgements/outstanding/",
        "/acknowledgements/signoff-packs/",
        "/acknowledgements/exports/",
        "/acknowledgements/reminders/",
        "/reports/counts/",
        "/mail/delivery/",
        "/people/import/",
        "/policies/social-media-policy/versions/",
    ],
    HEAD: [
        "/",
        "/approvals/",
        "/approvals/requests/",
        "/approvals/requests/new/",
        "/approvals/groups/",
        "/approvals/due/",
        "/acknowledgements/compliance/",
        "/acknowledgements/compliance/schools/harmony-primary/",
        "/acknowledgements/reminders/schools/harmony-primary/",
        "/reports/cases/",
    ],
    STAFF: [
        "/",
        "/acknowledgements/",
        "/approvals/requests/",
        "/approvals/requests/new/",
        "/approvals/groups/",
        "/reports/mine/",
        "/reports/new/",
        "/policies/social-media-policy/",
    ],
    GOVERNOR: [
        "/",
        "/acknowledgements/",
        "/policies/social-media-policy/",
    ],
}
# The portal's own error pages, as each role meets them: a page that does not exist, one they may not see.
ERROR_PAGES = {
    HR: {"/no-such-page/": 404, "/reports/cases/": 403},
    HEAD: {"/no-such-page/": 404, "/reports/counts/": 403},
    STAFF: {"/no-such-page/": 404, "/reports/counts/": 403},
    GOVERNOR: {"/no-such-page/": 404, "/approvals/": 403},
}
# Links that are not pages to check: files, signing out, the admin (a separate site with its own styles).
NOT_PAGES = (".csv", ".pdf", "/download", "/accounts/logout", "/admin/", "/static/", "/media/")

LINKS = """() => Array.from(document.querySelectorAll("header a[href], main a[href]"), (a) => a.href)"""
# Every value of a stacked card says which column it is (the CSS shows data-label before it); a cell that
# spans the whole row ("No report yet.") needs no label.
UNLABELLED_CELLS = """() => Array.from(document.querySelectorAll("main table tbody td:not([colspan])"))
    .filter((cell) => !cell.dataset.label && cell.textContent.trim()).length"""
UNSTACKED_TABLES = (
    """() => document.querySelectorAll("main table:not(.table-stack):not(.table-keep)").length"""
)
WIDEST_TABLE = """() => Math.max(0, ...Array.from(document.querySelectorAll("table"),
    (table) => table.getBoundingClientRect().right))"""
SCROLLING_CONTAINERS = """() => Array.from(document.querySelectorAll("main table"), (t) => t.parentElement)
    .filter((box) => box.scrollWidth > box.clientWidth + 1).length"""


# The words of each page as rendered with the demo trust's data: no "to to", no "invitation(s)", no
# "by the portal : to", no "3742 days ago" (tests/test_wording.py reads the templates themselves).
# The policy's own text is the trust's document, quoted as adopted ("employee(s)"): only the portal's words.
PORTAL_WORDS = """() => { const main = document.querySelector("main").cloneNode(true);
    main.querySelectorAll(".clause-text, .clause, blockquote, label[for^='clause-']")
        .forEach((quote) => quote.remove());
    return main.textContent.replace(/[ \\t]+/g, " "); }"""
SLIPS = re.compile(r"\b([A-Za-z]+) \1\b|\(s\)|\w :|\d{3,} days ago", re.IGNORECASE)


@pytest.fixture
def demo_trust(transactional_db):
    for command in (
        "load_demo_trust",
        "load_seed_policy",
        "load_demo_acknowledgements",
        "load_demo_review",
        "load_demo_approvals",
        "load_demo_reports",
    ):
        call_command(command, verbosity=0)


def sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_have_count(0)


def pages_for(page: Page, email: str) -> list[str]:
    """The role's list pages, and every page its menu and home page link to, each once, in order."""
    page.goto("/")
    found = list(PAGES[email])
    for href in page.evaluate(LINKS):
        url = urlsplit(href)
        path = url.path + (f"?{url.query}" if url.query else "")
        ours = url.netloc == urlsplit(page.url).netloc and not any(part in path for part in NOT_PAGES)
        if ours and path not in found:
            found.append(path)
    return found


def check_fits(page: Page, path: str, problems: list[str]) -> None:
    width, inner = page.evaluate("document.documentElement.scrollWidth"), page.evaluate("window.innerWidth")
    if width > inner:
        problems.append(f"{path}: the page is {width}px wide on a {inner}px screen")
    if page.evaluate(WIDEST_TABLE) > inner:
        problems.append(f"{path}: a table reaches past the screen's right edge")
    if page.evaluate(SCROLLING_CONTAINERS):
        problems.append(f"{path}: a table's container scrolls sideways")
    if page.evaluate(UNSTACKED_TABLES):
        problems.append(f"{path}: a table is not stacked on a phone")
    if page.evaluate(UNLABELLED_CELLS):
        problems.append(f"{path}: a stacked table's cell has no label")
    words = page.evaluate(PORTAL_WORDS)
    problems.extend(f"{path}: says {m.group(0)!r}" for m in SLIPS.finditer(words))


@pytest.mark.parametrize("email", [STAFF, HEAD, HR, GOVERNOR])
def test_it_fits_every_page_of_each_role_on_a_phone_without_accessibility_violations(
    page: Page, demo_trust, email, record_property
):
    axe = Axe()
    page.set_viewport_size(PHONE)
    sign_in(page, email)
    paths = pages_for(page, email)
    problems, tables_seen, violations = [], 0, 0
    for path in paths:
        response = page.goto(path)
        if response is None or response.status != 200:
            problems.append(f"{path}: answered {response and response.status}")
            continue
        tables_seen += page.locator("main table").count()
        check_fits(page, path, problems)
        result = axe.run(page)
        violations += result.violations_count
        if result.violations_count:
            problems.append(f"{path}: {result.violations_count} axe violations\n{result.generate_report()}")
    for path, status in ERROR_PAGES[email].items():
        response = page.goto(path)
        if response is None or response.status != status:
            problems.append(f"{path}: answered {response and response.status}, not {status}")
        expect(page.get_by_role("navigation", name="Main")).to_have_count(
            1
        )  # the portal's page, with its menu
        check_fits(page, path, problems)
        result = axe.run(page)
        violations += result.violations_count
        if result.violations_count:
            problems.append(f"{path}: {result.violations_count} axe violations\n{result.generate_report()}")
    checked = len(paths) + len(ERROR_PAGES[email])
    record_property("pages", checked)
    print(f"\n{email}: {checked} pages checked at 375 px, {violations} axe violations, {tables_seen} tables")
    assert not problems, "\n".join(problems)
    assert len(paths) >= len(PAGES[email])  # the pages were visited: the checks above are not vacuous
    if email != GOVERNOR:
        assert tables_seen >= 3


@pytest.mark.parametrize("email", [STAFF, HEAD, HR, GOVERNOR])
def test_it_stacks_and_labels_every_table_without_javascript(
    browser: Browser, live_server, demo_trust, email, csp_violations
):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, email)
        # the page's own scripts did not run (Bootstrap's would define it), yet the checks can ask the page
        assert page.evaluate("typeof window.bootstrap") == "undefined"
        assert page.evaluate("document.documentElement.scrollWidth") > 0
        problems, tables_seen = [], 0
        for path in PAGES[email]:
            response = page.goto(path)
            if response is None or response.status != 200:
                problems.append(f"{path}: answered {response and response.status}")
                continue
            tables_seen += page.locator("main table").count()
            check_fits(page, path, problems)
        assert not problems, "\n".join(problems)
        assert tables_seen >= (1 if email == GOVERNOR else 3)
    finally:
        context.close()
