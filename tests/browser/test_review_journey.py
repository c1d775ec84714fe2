"""HR reviews the Social Media Policy in real Chromium; then a member of staff sees what changed."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from policies.models import PolicyVersion

pytestmark = pytest.mark.browser

POLICY_PATH = "/policies/social-media-policy/"


def sign_in(page: Page, email: str, password: str, first_name: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name=f"Hello, {first_name}")).to_be_visible()


def assert_no_axe_violations(page: Page) -> None:
    result = Axe().run(page)
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"


def test_it_lets_hr_review_and_publish_and_staff_see_what_changed(
    page: Page, transactional_db, hr, teacher, seed_version
):
    sign_in(page, "harriet.hr@symphony.test", "harriet-password-1", "Harriet")
    expect(page.locator("#policy-reviews")).to_contain_text("Review overdue since 31 December 2019")
    assert_no_axe_violations(page)

    # Start the draft from the policy page.
    page.goto(POLICY_PATH)
    page.get_by_role("link", name="Start the review: draft the next version").click()
    assert_no_axe_violations(page)
    page.get_by_label("Label").fill("2026-2029")
    page.get_by_role("button", name="Start the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft 2026-2029 of the Social Media Policy")
    expect(page.locator(".messages")).to_contain_text("Draft 2026-2029 started from 2016-2019")
    assert_no_axe_violations(page)

    # Edit clause 3.2.
    page.get_by_role("link", name="Edit clause 3.2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit clause 3.2")
    assert_no_axe_violations(page)
    text = page.get_by_label("Text")
    expect(text).to_have_value(re.compile("Facebook, Twitter or LinkedIn"))
    text.fill(text.input_value().replace("Facebook, Twitter or LinkedIn", "Facebook, X or LinkedIn"))
    page.get_by_role("button", name="Save clause").click()
    expect(page.locator(".messages")).to_contain_text("Clause 3.2 saved.")
    expect(page.locator(".change-counts").first).to_contain_text("1 changed")

    # See the diff.
    page.get_by_role("link", name="See what changed, clause by clause").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What changed in the Social Media Policy")
    changed = page.locator(".change-changed.change")
    expect(changed).to_have_count(1)
    expect(changed.locator("del")).to_have_text("Twitter")
    expect(changed.locator("ins")).to_have_text("X")
    folded = page.locator("details.unchanged-run").first
    expect(folded).not_to_have_attribute("open", "")
    assert_no_axe_violations(page)
    page.go_back()

    # Record the approval, then publish after confirming.
    page.get_by_role("link", name="Record approval").click()
    assert_no_axe_violations(page)
    page.get_by_label("Approved by").fill("Board of Trustees")
    page.get_by_label("Date of approval").fill("2026-07-14")
    page.get_by_label("Minute reference").fill("BT/2026/07/5")
    page.get_by_role("button", name="Record approval").click()
    expect(page.locator(".messages")).to_contain_text("Approval recorded: Board of Trustees, 14 July 2026")
    page.get_by_role("link", name="Publish…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish Social Media Policy 2026-2029?")
    assert_no_axe_violations(page)
    page.get_by_label("Material change: everyone acknowledges again").check()
    page.get_by_label("Why").fill("A new section on messaging apps.")
    page.get_by_role("button", name="Publish 2026-2029").click()
    expect(page).to_have_url(re.compile(re.escape(POLICY_PATH) + "$"))
    expect(page.locator(".messages")).to_contain_text("is published and frozen")
    expect(page.locator("h1")).to_have_text("Social Media Policy 2026-2029")
    assert PolicyVersion.objects.get(label="2016-2019").is_superseded

    page.get_by_role("button", name="Sign out").click()

    # A member of staff now finds the new version current, and what changed since 2016-2019.
    sign_in(page, "tess.teacher@symphony.test", "tess-password-1", "Tess")
    page.get_by_role("link", name="Social Media Policy 2026-2029").click()
    expect(page.locator("h1")).to_have_text("Social Media Policy 2026-2029")
    expect(page.locator(".not-current")).to_have_count(0)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="What changed since 2016-2019").click()
    expect(page.locator(".lead")).to_contain_text("From 2016-2019 (superseded) to 2026-2029 (published)")
    expect(page.locator(".change-changed.change del")).to_have_text("Twitter")
    assert_no_axe_violations(page)

    # On a phone, the comparison does not scroll sideways.
    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_it_lets_hr_work_the_draft_with_the_keyboard_on_a_phone(
    page: Page, transactional_db, hr, seed_version
):
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, "harriet.hr@symphony.test", "harriet-password-1", "Harriet")
    page.goto(POLICY_PATH + "drafts/start/")
    page.get_by_label("Label").fill("2026-2029")
    page.get_by_label("Label").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft 2026-2029 of the Social Media Policy")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_no_axe_violations(page)

    move = page.get_by_role("button", name="Move down clause 1.1")
    move.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Clause moved down: it is now 1.2.")

    page.get_by_role("link", name="Remove clause 1.1").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove clause 1.1?")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Remove clause 1.1").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Clause 1.1 removed")
