"""A member of staff asks for approval of a class page and her Head approves it, in real Chromium.

axe-core checks every page on the way; the request form and the request work on a 375px phone.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from approvals.models import SiteApprovalRequest

pytestmark = pytest.mark.browser


def sign_in(page: Page, email: str, password: str, first_name: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name=f"Hello, {first_name}")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()


def assert_accessible(page: Page, axe: Axe) -> None:
    result = axe.run(page)
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"


def assert_fits_a_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways on a phone: {width}px wide"


def test_it_takes_a_request_from_the_teacher_to_the_heads_approval(
    page: Page, transactional_db, teacher, colleague, head
):
    axe = Axe()
    sign_in(page, "tess.teacher@symphony.test", "tess-password-1", "Tess")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Social media sites").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register of social media sites")
    assert_accessible(page, axe)

    page.get_by_role("navigation", name="Social media sites and groups").get_by_role(
        "link", name="Ask for approval"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for approval of a social media site")
    assert_accessible(page, axe)

    # A first try with one runner and pupils' images but no consent: both are explained, nothing is lost.
    page.get_by_label("Platform").select_option(label="Facebook")
    page.get_by_label("Proposed name or handle").fill("Harmony Year 6 <News>")
    page.get_by_label("Purpose").fill("Trip reminders and class news for families.")
    page.get_by_label("Audience").fill("Parents of Year 6")
    # Tess is chosen to run it already (the form starts with the requester); nobody else yet.
    expect(page.get_by_label("Tess Teacher (Harmony Primary School)")).to_be_checked()
    page.get_by_label("Yes").check()
    page.get_by_label("How it will be moderated").fill("Comments held for approval; checked daily.")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("Name at least two colleagues")).to_be_visible()
    expect(page.get_by_text("Pupils' images can only appear once")).to_be_visible()
    expect(page.get_by_label("Proposed name or handle")).to_have_value("Harmony Year 6 <News>")
    assert_accessible(page, axe)
    assert not SiteApprovalRequest.objects.exists()

    # The picker finds colleagues as she types (static/js/runner-picker.js) and says how many.
    page.get_by_label("Find a colleague by name").fill("colin")
    expect(page.locator("#runner-results-status")).to_have_text("1 colleague found.")
    page.get_by_label("Colin Colleague (Harmony Primary School)").check()
    page.get_by_label("I confirm the school's consent arrangements").check()
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harmony Year 6 <News>")
    expect(page.get_by_role("status")).to_contain_text("Your request has been sent for approval.")
    expect(page.locator(".lead")).to_contain_text("Waiting for a decision")
    assert_accessible(page, axe)
    site = SiteApprovalRequest.objects.get()
    assert site.status == "submitted" and site.runners.count() == 2

    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    assert_accessible(page, axe)
    assert_fits_a_phone(page)
    page.goto("/approvals/requests/new/")
    assert_fits_a_phone(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    sign_out(page)

    sign_in(page, "hannah.head@symphony.test", "hannah-password-1", "Hannah")
    assert_accessible(page, axe)
    page.get_by_role("link", name="1 request for a social media site waiting for your decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests for social media sites")
    assert_accessible(page, axe)
    waiting = page.get_by_role("region", name=re.compile("Waiting for your decision"))
    waiting.get_by_role("link", name="Harmony Year 6 <News>").click()
    expect(page.get_by_role("heading", level=2, name="Your decision")).to_be_visible()
    assert_accessible(page, axe)

    page.get_by_label("Approve").check()
    page.get_by_label("Note to the requester").fill("Approved: photos only with consent.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("Decision recorded: approved.")
    expect(page.locator(".lead")).to_contain_text("Approved")
    expect(page.get_by_role("region", name="History")).to_contain_text("Approved by Hannah Head")
    assert_accessible(page, axe)
    site.refresh_from_db()
    assert site.status == "approved" and site.decided_by == head and site.review_due_on

    page.get_by_role("navigation", name="Social media sites and groups").get_by_role(
        "link", name="Register"
    ).click()
    expect(page.get_by_role("link", name="Harmony Year 6 <News>")).to_be_visible()
    assert_accessible(page, axe)
    page.get_by_role("link", name="Due for re-approval").click()
    expect(page.get_by_text("No site is due for re-approval.")).to_be_visible()
    assert_accessible(page, axe)


def test_it_has_no_accessibility_violations_on_the_group_pages(
    page: Page, transactional_db, teacher, colleague
):
    axe = Axe()
    sign_in(page, "tess.teacher@symphony.test", "tess-password-1", "Tess")
    page.goto("/approvals/groups/")
    assert_accessible(page, axe)
    page.get_by_role("link", name="Register a group").click()
    page.get_by_label("Platform").select_option(label="Facebook")
    page.get_by_label("Name").fill("Harmony Staff Runners")
    page.get_by_label("Web address").fill("https://www.facebook.com/groups/harmony-runners")
    page.get_by_label("Purpose").fill("Weekend runs.")
    assert_accessible(page, axe)
    page.get_by_role("button", name="Register the group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harmony Staff Runners")
    page.get_by_label("Colleague to take over").select_option(
        label="Colin Colleague (Harmony Primary School)"
    )
    page.get_by_role("button", name="Offer the hand-over").click()
    expect(page.get_by_role("status")).to_contain_text("Hand-over offered to Colin Colleague")
    assert_accessible(page, axe)
