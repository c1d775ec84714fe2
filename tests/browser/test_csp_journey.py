"""The Content-Security-Policy in a real browser: the check that fails journeys works, and the admin works."""

import pytest
from playwright.sync_api import Page, expect

from tests.builders import make_person

pytestmark = pytest.mark.browser


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_it_notices_an_inline_style_or_script_the_policy_blocks(
    page: Page, transactional_db, teacher, csp_violations
):
    sign_in(page, teacher.email, "tess-password-1")
    expect(page.get_by_role("heading", level=1, name="Hello, Tess")).to_be_visible()
    assert csp_violations == []
    # What an injected template fragment would do: the browser refuses both, and the journey's check sees it.
    page.evaluate(
        """() => {
        const style = document.createElement("style");
        style.textContent = "body { background: red }";
        document.head.appendChild(style);
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.head.appendChild(script);
    }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected === undefined")
    assert any("style-src" in message for message in csp_violations), csp_violations
    assert any("script-src" in message for message in csp_violations), csp_violations
    csp_violations.clear()  # seen and asserted: the journey itself passes


def test_it_lets_hr_use_the_admin_under_the_policy(page: Page, transactional_db, hr, seed_version):
    sign_in(page, hr.email, "harriet-password-1")
    expect(page.get_by_role("heading", level=1, name="Hello, Harriet")).to_be_visible()
    make_person("Adam Admin-Tested", password="adam-password-1")
    # The index, a change list without actions (Django writes an inline <style> there), a list with
    # filters and search, a change form with an inline formset and the date/time widgets.
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="HR administration")).to_be_visible()
    page.goto("/admin/acknowledgements/acknowledgement/")
    expect(page.locator("#changelist")).to_be_visible()
    page.goto("/admin/policies/clause/?q=social")
    expect(page.locator("#changelist")).to_be_visible()
    page.goto("/admin/trust/user/")
    page.get_by_role("link", name="Adam Admin-Tested").first.click()
    expect(page.locator("#content h1")).to_contain_text("Change")
    # HR manages people's details but not roles (a trust administrator grants those): the role inline
    # offers no "Add another". That the admin's own scripts run is shown by the slug filled in below.
    expect(page.locator(".add-row a")).to_have_count(0)
    page.goto("/admin/policies/policy/add/")
    page.locator("#id_title").press_sequentially("Mobile Phone Policy")
    # The slug is filled in by the admin's prepopulate script as the title is typed.
    expect(page.locator("#id_slug")).to_have_value("mobile-phone-policy")
    # django-simple-history's history page (its one style attribute is allowed by hash under /admin/).
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    page.get_by_role("link", name="History").click()
    expect(page.locator("#content h1")).to_contain_text("Change history")
    expect(page.locator("p.paginator")).to_have_css("border-top-width", "0px")
