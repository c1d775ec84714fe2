"""A Head's first sign-in after the second factor landed: set up the app on a phone, keep the recovery
codes, sign out, and sign in again with a code; every page passes axe."""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.trust.test_second_factor import STEP, current_code

pytestmark = [pytest.mark.browser, pytest.mark.second_factor]


def assert_no_axe_violations(page: Page) -> None:
    result = Axe().run(page)
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"


def enter_password(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("hannah.head@symphony.test")
    page.get_by_label("Password").fill("hannah-password-1")
    page.get_by_role("button", name="Sign in").click()


def test_it_takes_a_head_through_setting_up_and_using_her_second_factor(
    page: Page, transactional_db, head, seed_version
):
    page.set_viewport_size({"width": 375, "height": 812})
    enter_password(page)
    expect(page.get_by_role("heading", level=1, name="Set up your authenticator app")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("needs a second factor")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_no_axe_violations(page)
    # Any other page sends her back here.
    page.goto("/reports/cases/")
    expect(page.get_by_role("heading", level=1, name="Set up your authenticator app")).to_be_visible()

    secret = page.locator("code").first.inner_text().strip()
    page.get_by_label("Authenticator code").fill("000000")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_text("Incorrect code")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Authenticator code").fill(current_code(secret))
    page.get_by_role("button", name="Turn on").click()

    expect(page.get_by_role("heading", level=1, name="Your recovery codes")).to_be_visible()
    assert page.locator("ul.font-monospace li").count() == 10
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Continue to the portal").click()
    expect(page.get_by_role("heading", level=1, name="Hello, Hannah")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    enter_password(page)
    expect(page.get_by_role("heading", level=1, name="Enter your code")).to_be_visible()
    assert_no_axe_violations(page)
    time.sleep(STEP - time.time() % STEP + 0.1)  # a step whose code the set-up did not use
    page.get_by_label("Code").fill(current_code(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Hello, Hannah")).to_be_visible()
