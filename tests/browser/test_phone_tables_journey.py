"""No page scrolls sideways on a 375 px phone: tables become stacked cards, and axe finds nothing.

HR, a Head and a member of staff of the demo trust (what `make run` loads) visit every list page they use.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
PASSWORD = "symphony-demo-2026"
PAGES = {
    "priya.shah@symphony.example": [  # HR
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
    "sarah.okafor@symphony.example": [  # Head Teacher
        "/",
        "/approvals/",
        "/approvals/requests/",
        "/approvals/groups/",
        "/approvals/due/",
        "/acknowledgements/compliance/",
        "/acknowledgements/compliance/schools/harmony-primary/",
        "/acknowledgements/reminders/schools/harmony-primary/",
        "/reports/cases/",
    ],
    "tom.baker@symphony.example": [  # member of staff
        "/",
        "/acknowledgements/",
        "/approvals/requests/",
        "/approvals/groups/",
        "/reports/mine/",
        "/policies/social-media-policy/",
    ],
}

# Every value of a stacked card says which column it is (the CSS shows data-label before it).
UNLABELLED_CELLS_NONE = """() => Array.from(document.querySelectorAll("main table.table-stack tbody td"))
    .every((cell) => cell.dataset.label || !cell.textContent.trim())"""
WIDEST_TABLE = """() => Math.max(0, ...Array.from(document.querySelectorAll("table"),
    (table) => table.getBoundingClientRect().right))"""


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


@pytest.mark.parametrize("email", list(PAGES))
def test_it_fits_every_list_page_on_a_phone_without_accessibility_violations(
    page: Page, demo_trust, email, record_property
):
    axe = Axe()
    page.set_viewport_size(PHONE)
    sign_in(page, email)
    problems, tables_seen = [], 0
    for path in PAGES[email]:
        response = page.goto(path)
        if response is None or response.status != 200:
            problems.append(f"{path}: answered {response and response.status}")
            continue
        tables_seen += page.locator("main table").count()
        stacked = page.locator("main table.table-stack").count()
        if stacked != page.locator("main table").count():
            problems.append(f"{path}: a table is not stacked on a phone")
        if not page.evaluate(UNLABELLED_CELLS_NONE):
            problems.append(f"{path}: a stacked table's cell has no label")
        width = page.evaluate("document.documentElement.scrollWidth")
        inner = page.evaluate("window.innerWidth")
        if width > inner:
            problems.append(f"{path}: the page is {width}px wide on a {inner}px screen")
        if page.evaluate(WIDEST_TABLE) > inner:
            problems.append(f"{path}: a table reaches past the screen's right edge")
        result = axe.run(page)
        if result.violations_count:
            problems.append(f"{path}: {result.violations_count} axe violations\n{result.generate_report()}")
    record_property("pages", len(PAGES[email]))
    assert not problems, "\n".join(problems)
    assert tables_seen >= 3  # the journey did meet tables: the check above is not vacuous
