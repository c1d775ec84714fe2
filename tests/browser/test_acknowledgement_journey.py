"""A member of staff acknowledges the policy and sees the receipt; her Head sees the count change."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from acknowledgements.models import Acknowledgement

pytestmark = pytest.mark.browser

SCHOOL_PAGE = "/acknowledgements/compliance/schools/harmony-primary/"


def sign_in(page: Page, email: str, password: str, first_name: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name=f"Hello, {first_name}")).to_be_visible()


def assert_no_axe_violations(page: Page) -> None:
    result = Axe().run(page)
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"


def test_it_lets_staff_acknowledge_on_a_phone_and_the_head_see_the_count_change(
    page: Page, browser, base_url, transactional_db, teacher, head, governor, seed_version
):
    head_page = browser.new_page(base_url=base_url)
    sign_in(head_page, "hannah.head@symphony.test", "hannah-password-1", "Hannah")
    head_page.goto(SCHOOL_PAGE)
    expect(head_page.get_by_text("0 of 3 acknowledged", exact=False)).to_be_visible()
    expect(head_page.get_by_role("cell", name="Tess Teacher")).to_be_visible()
    assert_no_axe_violations(head_page)

    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, "tess.teacher@symphony.test", "tess-password-1", "Tess")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Read and acknowledge the Social Media Policy (2016-2019)").click()
    expect(page).to_have_url(re.compile(rf"/acknowledgements/versions/{seed_version.pk}/$"))
    statement = page.get_by_text("I have read, understood and will comply with this policy.")
    expect(statement).to_be_visible()
    assert_no_axe_violations(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the acknowledge page scrolls sideways on a phone: {scroll_width}px wide"

    confirm = page.get_by_role("button", name="Confirm my acknowledgement")
    confirm.scroll_into_view_if_needed()
    expect(confirm).to_be_in_viewport()
    confirm.click()
    expect(page.get_by_role("heading", level=1, name="Acknowledgement receipt")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Thank you: your acknowledgement of")
    record = Acknowledgement.objects.get(person=teacher)
    expect(page.locator("code.fingerprint")).to_have_text(record.fingerprint)
    assert_no_axe_violations(page)

    page.get_by_role("link", name="All my acknowledgements").click()
    expect(page.get_by_role("heading", level=1, name="My acknowledgements")).to_be_visible()
    assert_no_axe_violations(page)

    head_page.reload()
    expect(head_page.get_by_text("1 of 3 acknowledged", exact=False)).to_be_visible()
    expect(head_page.get_by_role("cell", name="Tess Teacher")).to_have_count(0)
    head_page.goto("/acknowledgements/compliance/")
    expect(head_page.get_by_role("link", name="Harmony Primary School")).to_be_visible()
    assert_no_axe_violations(head_page)
    head_page.close()


def test_it_has_no_accessibility_violations_on_the_trust_wide_pages(
    page: Page, transactional_db, hr, teacher, governor, trustee, head, seed_version
):
    sign_in(page, "harriet.hr@symphony.test", "harriet-password-1", "Harriet")
    for path, heading in [
        ("/acknowledgements/compliance/", "Acknowledgements: compliance"),
        ("/acknowledgements/compliance/central-team/", "Acknowledgements: Central trust team"),
        ("/acknowledgements/outstanding/", "Acknowledgements outstanding across the trust"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        assert_no_axe_violations(page)
