"""A member of staff signs in and reads the Social Media Policy, in real Chromium.

Each journey runs against the live server (``base_url``) with data committed by ``transactional_db``.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

POLICY_PATH = "/policies/social-media-policy/"
POLICY_LINK = "Social Media Policy 2016-2019"
TESS_EMAIL = "tess.teacher@symphony.test"
TESS_PASSWORD = "tess-password-1"


def sign_in(page: Page, email: str = TESS_EMAIL, password: str = TESS_PASSWORD) -> None:
    """Fill in the sign-in form the page is showing, submit it and wait for the home page."""
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Hello, Tess")).to_be_visible()


def assert_no_axe_violations(page: Page, axe: Axe) -> None:
    result = axe.run(page)
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"


def test_it_lets_a_member_of_staff_sign_in_read_the_policy_and_follow_a_clause_permalink(
    page: Page, transactional_db, teacher, seed_version
):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))

    sign_in(page)
    expect(page).to_have_url(re.compile(r"/$"))

    page.get_by_role("link", name=POLICY_LINK).click()
    expect(page).to_have_url(re.compile(re.escape(POLICY_PATH) + "$"))
    expect(page.locator("h1")).to_have_text(POLICY_LINK)
    expect(page.locator("header .review-badge")).to_contain_text("Review overdue since 31 December 2019")

    contents = page.get_by_role("navigation", name="Contents")
    contents.get_by_role("link", name="5. Employee Responsibility").click()
    expect(page).to_have_url(re.compile(re.escape(POLICY_PATH) + "#section-5$"))
    assert page.evaluate("location.hash") == "#section-5"
    expect(page.locator("#section-5-heading")).to_be_in_viewport()

    # Every clause of section 5 is numbered, its bullets too: 5.1 is the opening sentence, 5.3 the
    # second bullet and "To avoid any conflict of interest" the third bullet, 5.4.
    page.goto(POLICY_PATH + "#clause-5-3")
    clause = page.locator("#clause-5-3")
    expect(clause).to_be_visible()
    expect(clause.locator(".clause-number")).to_have_text("5.3")
    expect(clause).to_contain_text(
        "Employees should assume that everything can be traced back to them personally"
    )
    expect(clause).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == "clause-5-3"
    assert clause.evaluate("element => element.matches(':target')") is True

    page.goto(POLICY_PATH + "#clause-5-4")
    conflict = page.locator("#clause-5-4")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("To avoid any conflict of interest")
    expect(conflict).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == "clause-5-4"


def test_it_has_no_accessibility_violations_on_sign_in_home_and_policy_pages(
    page: Page, transactional_db, teacher, seed_version
):
    axe = Axe()

    page.goto("/accounts/login/")
    assert_no_axe_violations(page, axe)

    sign_in(page)
    assert_no_axe_violations(page, axe)

    page.goto(POLICY_PATH)
    expect(page.locator("h1")).to_have_text(POLICY_LINK)
    assert_no_axe_violations(page, axe)

    page.goto(POLICY_PATH + "versions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Versions of the Social Media Policy")
    assert_no_axe_violations(page, axe)

    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(POLICY_PATH)
    expect(page.locator("h1")).to_have_text(POLICY_LINK)
    assert page.evaluate("window.innerWidth") == 375
    assert_no_axe_violations(page, axe)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the policy page scrolls sideways on a phone: {scroll_width}px wide"


def test_it_works_with_the_keyboard(page: Page, transactional_db, teacher, seed_version):
    page.goto("/accounts/login/")
    # Django's sign-in form autofocuses the email field, so Tab would go on from there. Start from the
    # top, as after clicking the page background: the sequential focus starting point is then <body>.
    assert page.evaluate("document.elementFromPoint(2, 400) === document.body")
    page.mouse.click(2, 400)
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/login/#main$"))
    expect(page.locator("main#main")).to_be_focused()

    sign_in(page)
    page.goto(POLICY_PATH)
    expect(page.locator("h1")).to_have_text(POLICY_LINK)

    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('clause-number')"):
            break
    else:
        pytest.fail("no clause number link could be reached with Tab in 200 presses")

    focused_href = page.evaluate("document.activeElement.getAttribute('href')")
    clause_id = page.evaluate("document.activeElement.closest('.clause').id")
    assert focused_href == f"#{clause_id}"
    assert page.evaluate("location.hash") == ""

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(POLICY_PATH) + f"#{clause_id}$"))
    assert page.evaluate("location.hash") == f"#{clause_id}"
    assert page.evaluate("document.querySelector(':target').id") == clause_id
