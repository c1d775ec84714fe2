""" "Send reminders now" in real Chromium: a Head on a phone reminds her school after the preview; HR
reminds the whole trust, then one school; a second press sends nothing. axe-core on every page."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from acknowledgements.models import Reminder
from symphony_portal.mail.models import OutgoingEmail

pytestmark = pytest.mark.browser


def sign_in(page: Page, email: str, password: str, first_name: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name=f"Hello, {first_name}")).to_be_visible()


def assert_no_axe_violations(page: Page, axe: Axe) -> None:
    result = axe.run(page)
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"


def assert_fits_a_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width}px wide on a 375px phone"


def test_it_lets_a_head_remind_her_school_from_her_phone_and_hr_the_trust(
    page: Page, browser, base_url, transactional_db, teacher, colleague, head, other_head, hr, seed_version
):
    axe = Axe()
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, head.email, "hannah-password-1", "Hannah")
    page.goto("/acknowledgements/compliance/schools/harmony-primary/")
    page.get_by_role("link", name="Send reminders now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send reminders now: Harmony Primary School")
    expect(page.locator("#reminder-preview")).to_contain_text("3 people get a reminder.")
    expect(page.locator("#reminder-preview")).to_contain_text("0 people are skipped")
    assert_no_axe_violations(page, axe)
    assert_fits_a_phone(page)
    assert OutgoingEmail.objects.count() == 0  # the preview sends nothing

    page.get_by_role("button", name="Send 3 reminders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acknowledgements: Harmony Primary School")
    expect(page.get_by_role("status")).to_contain_text("3 reminders for Harmony Primary School queued")
    assert_no_axe_violations(page, axe)
    assert set(Reminder.objects.values_list("recipient", flat=True)) == {teacher.pk, colleague.pk, head.pk}

    # Pressed again: the preview says so and there is no button; nothing new is queued.
    page.get_by_role("link", name="Send reminders now").click()
    expect(page.locator("#reminder-preview")).to_contain_text("0 people get a reminder.")
    expect(page.locator("#reminder-preview")).to_contain_text("3 people are skipped")
    expect(page.get_by_role("button", name="Send 0 reminders")).to_have_count(0)
    assert_no_axe_violations(page, axe)

    hr_page = browser.new_page(base_url=base_url)
    sign_in(hr_page, hr.email, "harriet-password-1", "Harriet")
    hr_page.goto("/acknowledgements/outstanding/")
    hr_page.get_by_role("link", name="Send reminders now").click()
    expect(hr_page.get_by_role("heading", level=1)).to_have_text("Send reminders now: the whole trust")
    expect(hr_page.locator("#reminder-preview")).to_contain_text("2 people get a reminder.")  # other Head, HR
    expect(hr_page.locator("#reminder-preview")).to_contain_text("3 people are skipped")
    assert_no_axe_violations(hr_page, axe)
    hr_page.get_by_label("Or remind one school's people only").select_option(label="Crescendo Academy")
    hr_page.get_by_role("button", name="Preview for this school").click()
    expect(hr_page.get_by_role("heading", level=1)).to_have_text("Send reminders now: Crescendo Academy")
    expect(hr_page.locator("#reminder-preview")).to_contain_text("1 person gets a reminder.")
    assert_no_axe_violations(hr_page, axe)
    hr_page.get_by_role("button", name="Send 1 reminder").click()
    expect(hr_page.get_by_role("status")).to_contain_text("1 reminder for Crescendo Academy queued")
    assert Reminder.objects.filter(recipient=other_head).count() == 1
    assert Reminder.objects.count() == OutgoingEmail.objects.count() == 4
    hr_page.close()
