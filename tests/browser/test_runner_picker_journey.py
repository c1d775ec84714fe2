"""The runners' picker in real Chromium: with the keyboard and JavaScript, and as a plain search without it.

Only colleagues of the requester's school and the central team are ever found; axe-core checks the picker
with its results shown, on a 375 px phone.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from approvals.models import SiteApprovalRequest

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("tess.teacher@symphony.test")
    page.get_by_label("Password").fill("tess-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Hello, Tess")).to_be_visible()


def fill_the_rest(page: Page) -> None:
    page.get_by_label("Platform").select_option(label="Facebook")
    page.get_by_label("Proposed name or handle").fill("Harmony Choir")
    page.get_by_label("Purpose").fill("Concert dates for families.")
    page.get_by_label("Audience").fill("Parents")
    page.get_by_label("How it will be moderated").fill("Comments held for approval; checked daily.")


def assert_accessible(page: Page, axe: Axe) -> None:
    result = axe.run(page)
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"


def test_it_picks_runners_with_the_keyboard_as_she_types(
    page: Page, transactional_db, teacher, colleague, other_teacher, hr, other_head
):
    axe = Axe()
    page.set_viewport_size(PHONE)
    sign_in(page)
    page.goto("/approvals/requests/new/")
    fill_the_rest(page)
    status = page.locator("#runner-results-status")
    expect(status).to_have_attribute("aria-live", "polite")

    search = page.get_by_label("Find a colleague by name")
    search.focus()
    page.keyboard.type("o")
    expect(status).to_have_text("Type at least two letters of a name.")
    page.keyboard.type("scar")  # the Head of another school: never offered
    expect(status).to_have_text("No colleague matches “oscar”.")
    page.keyboard.press("Control+A")
    page.keyboard.type("co")
    expect(status).to_have_text("1 colleague found.")
    assert_accessible(page, axe)
    page.keyboard.press("Enter")  # searches again; sends nothing
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for approval of a social media site")
    page.keyboard.press("Tab")  # past the Search button
    page.keyboard.press("Tab")
    expect(page.get_by_label("Colin Colleague (Harmony Primary School)")).to_be_focused()
    # An answer to the same name arriving now (a slow one to Enter, say) leaves her on the same checkbox.
    results = page.get_by_role("list", name="Colleagues found")
    busy_while_asking = page.evaluate(
        "() => { document.querySelector('#runner-picker button[name=find_runners]').click();"
        " return document.querySelector('#runner-results ul').getAttribute('aria-busy'); }"
    )
    assert busy_while_asking == "true"
    expect(results).not_to_have_attribute("aria-busy", "true")
    expect(page.get_by_label("Colin Colleague (Harmony Primary School)")).to_be_focused()
    page.keyboard.press("Space")

    search.fill("harriet")  # the central team may help run any school's site
    expect(status).to_have_text("1 colleague found.")
    expect(
        page.locator("#runners-chosen").get_by_label("Colin Colleague (Harmony Primary School)")
    ).to_be_checked()
    page.get_by_label("Harriet HR (Central trust team)").check()
    search.fill("colin")
    expect(status).to_have_text("1 colleague found (1 already chosen).")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, axe)

    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_role("status")).to_contain_text("Your request has been sent for approval.")
    site = SiteApprovalRequest.objects.get()
    assert set(site.runners.all()) == {teacher, colleague, hr}


def test_it_works_as_a_plain_search_without_javascript(
    browser: Browser, live_server, transactional_db, teacher, colleague, other_head, csp_violations
):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    try:
        axe_free = page  # axe needs JavaScript: the same page is checked with it in the journey above
        sign_in(axe_free)
        page.goto("/approvals/requests/new/")
        fill_the_rest(page)
        page.get_by_label("Find a colleague by name").fill("Colin")
        page.get_by_role("button", name="Search").click()

        expect(page.locator("#runner-results-status")).to_have_text("1 colleague found for “Colin”.")
        expect(page.get_by_label("Proposed name or handle")).to_have_value("Harmony Choir")  # kept
        expect(page.get_by_text("Name at least two colleagues")).to_have_count(0)
        page.get_by_label("Colin Colleague (Harmony Primary School)").check()
        page.get_by_role("button", name="Send for approval").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Harmony Choir")
        assert set(SiteApprovalRequest.objects.get().runners.all()) == {teacher, colleague}
    finally:
        context.close()
