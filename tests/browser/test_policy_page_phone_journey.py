"""The policy page on a 375 px phone: the call to acknowledge, and the version's details behind a disclosure.

The "new version" email's "Read it" link lands on the policy page: someone for whom the version is waiting
must be able to acknowledge from there, without going back to the home page.
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .test_reading_journey import POLICY_PATH, assert_no_axe_violations, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
# Where a person can look at the page as a phone shows it (outside the repository; optional).
SCREENS = os.environ.get("POLICY_PAGE_SCREENSHOT_DIR", "")


def screenshot(page: Page, name: str) -> None:
    if SCREENS:
        Path(SCREENS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENS) / name), full_page=False)


def test_it_snapshots_the_policy_page_on_a_phone(page: Page, transactional_db, teacher, seed_version):
    page.set_viewport_size(PHONE)
    page.goto("/")
    sign_in(page)
    page.goto(POLICY_PATH)
    expect(page.locator("h1")).to_be_visible()
    screenshot(page, os.environ.get("POLICY_PAGE_SCREENSHOT_NAME", "policy-page-375.png"))


def test_it_offers_acknowledging_at_the_bottom_of_a_phone_screen_and_the_details_on_request(
    page: Page, transactional_db, teacher, seed_version
):
    axe = Axe()
    page.set_viewport_size(PHONE)
    page.goto("/")
    sign_in(page)
    page.goto(POLICY_PATH)  # where the "new version" email's "Read it" link lands

    call = page.get_by_role("complementary", name="This version is waiting for your acknowledgement.")
    expect(call).to_be_visible()
    assert call.evaluate("element => getComputedStyle(element).position") == "fixed"
    box = call.bounding_box()
    assert box is not None and abs(box["y"] + box["height"] - PHONE["height"]) <= 1  # at the bottom
    # The policy's text comes first: the metadata and the fingerprint wait behind disclosures.
    expect(page.locator("code.fingerprint")).to_be_hidden()
    expect(page.get_by_text("Next review due")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_axe_violations(page, axe)

    # The call never covers the end of the page: scrolled to the bottom, the footer sits above it.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    footer = page.locator("body > footer").bounding_box()
    assert footer is not None and footer["y"] + footer["height"] <= call.bounding_box()["y"] + 1

    page.evaluate("window.scrollTo(0, 0)")
    page.get_by_text("About this version").click()
    expect(page.get_by_text("Next review due")).to_be_visible()
    expect(page.locator("code.fingerprint")).to_be_hidden()
    page.get_by_text("Check this version's fingerprint").click()
    expect(page.locator("code.fingerprint")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_axe_violations(page, axe)

    call.get_by_role("link", name=re.compile("^Read and acknowledge")).click()
    expect(page).to_have_url(re.compile(rf"/acknowledgements/versions/{seed_version.pk}/$"))
    expect(page.locator(".review-badge")).to_contain_text("Review overdue since 31 December 2019")
    assert_no_axe_violations(page, axe)
    page.get_by_role("button", name="Confirm my acknowledgement").click()
    expect(page.get_by_role("heading", level=1, name="Acknowledgement receipt")).to_be_visible()

    # Back on the policy page, no call: the page says when they acknowledged instead.
    page.goto(POLICY_PATH)
    expect(page.locator(".acknowledge-call")).to_have_count(0)
    expect(page.get_by_text("You acknowledged this version on")).to_be_visible()
    assert_no_axe_violations(page, axe)


def test_it_shows_the_error_pages_with_the_menu_on_a_phone_without_accessibility_violations(
    page: Page, transactional_db, teacher, seed_version, settings
):
    settings.DEBUG = False
    axe = Axe()
    page.set_viewport_size(PHONE)
    page.goto("/")
    sign_in(page)
    for path, heading in [
        ("/no-such-page/", "We could not find that page"),
        ("/people/import/", "This page is not available to you"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        expect(page.get_by_role("link", name="Go to the portal's home page")).to_be_visible()
        expect(page.get_by_role("button", name="Show or hide the menu")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert_no_axe_violations(page, axe)
    page.get_by_role("link", name="Go to the portal's home page").click()
    expect(page.get_by_role("heading", level=1, name="Hello, Tess")).to_be_visible()
