"""Signing in with the trust's Microsoft account in Chromium, through the real pages of an OpenID Connect
provider on loopback (tests/oidc_provider/): a teacher gets in, a leaver is told plainly on the sign-in
page, a Head whose provider used multi-factor reaches the cases. axe checks the portal's pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.builders import make_person

pytestmark = [pytest.mark.browser, pytest.mark.second_factor]


def assert_no_axe_violations(page: Page) -> None:
    result = Axe().run(page)
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"


def sign_in_at_the_provider(page: Page, user_name: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Microsoft").click()
    expect(page.get_by_role("heading", name="Loopback identity provider: sign in")).to_be_visible()
    page.get_by_label("User name").fill(user_name)
    page.get_by_label("Password").fill("anything")
    page.get_by_role("button", name="Sign in").click()


def test_it_signs_a_teacher_in_with_her_microsoft_account(
    page: Page, transactional_db, sign_in_providers, teacher, seed_version
):
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="Sign in with Google")).to_be_visible()
    assert_no_axe_violations(page)
    sign_in_at_the_provider(page, "tess")
    expect(page.get_by_role("heading", level=1, name="Hello, Tess")).to_be_visible()
    assert_no_axe_violations(page)


def test_it_tells_a_leaver_plainly_on_the_sign_in_page(
    page: Page, transactional_db, sign_in_providers, harmony
):
    make_person("Lenny Leaver", school=harmony, is_active=False)
    sign_in_at_the_provider(page, "leaver")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    expect(page.get_by_text("Your account on the portal has been closed")).to_be_visible()
    assert_no_axe_violations(page)


def test_a_head_whose_provider_used_multi_factor_reaches_the_cases(
    page: Page, transactional_db, sign_in_providers, head, seed_version
):
    sign_in_at_the_provider(page, "hannah-mfa")
    expect(page.get_by_role("heading", level=1, name="Hello, Hannah")).to_be_visible()
    page.goto("/reports/cases/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.endswith("/reports/cases/")
    assert_no_axe_violations(page)
