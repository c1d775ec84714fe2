"""HR addresses a policy to employees with a tag, in real Chromium (axe-core on every page); a governor
is not asked, a tagged teacher is, with the date to acknowledge by."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from policies.models import Policy
from symphony_portal.trust.models import PersonTag
from tests.builders import make_person, make_version

pytestmark = pytest.mark.browser


def assert_no_axe_violations(page: Page, axe: Axe) -> None:
    result = axe.run(page)
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_it_lets_hr_address_a_policy_to_tagged_employees_and_asks_only_them(
    page: Page, transactional_db, hr, teacher, harmony
):
    axe = Axe()
    version = make_version(label="2026", published_at=timezone.now())
    make_person("Gina Governor", school=harmony, kind="governor", password="gina-password-1")

    sign_in(page, hr.email, "harriet-password-1")
    page.get_by_role("link", name="Tags").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People's tags")
    assert_no_axe_violations(page, axe)
    page.get_by_label("Name").fill("Works directly with children")
    page.get_by_role("button", name="Add the tag").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tag: Works directly with children")
    page.get_by_label("Email addresses").fill(f"{teacher.email}\ngina.governor@symphony.test")
    page.get_by_role("button", name="Give the tag").click()
    expect(page.get_by_text("2 people given the tag")).to_be_visible()
    assert_no_axe_violations(page, axe)
    assert PersonTag.objects.count() == 2

    page.goto(f"/policies/{version.policy.slug}/audience/")
    assert_no_axe_violations(page, axe)
    page.get_by_label("Governors", exact=True).uncheck()
    page.get_by_label("Trustees", exact=True).uncheck()
    page.get_by_label("Only people with this tag").select_option(label="Works directly with children")
    page.get_by_label("School days to acknowledge").fill("5")
    page.get_by_role("button", name="Save who must acknowledge").click()
    expect(page.get_by_role("status")).to_contain_text(
        'Saved: All employees, with the tag "Works directly with children" must acknowledge'
    )
    assert_no_axe_violations(page, axe)
    policy = Policy.objects.get(pk=version.policy_id)
    assert (
        not policy.for_governors and policy.audience_tag is not None and policy.acknowledge_within_days == 5
    )

    page.context.clear_cookies()
    sign_in(page, "gina.governor@symphony.test", "gina-password-1")
    expect(page.get_by_text("Nothing: you have acknowledged every current policy.")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, teacher.email, "tess-password-1")
    expect(page.get_by_role("link", name=f"Read and acknowledge the {version.title}")).to_be_visible()
    expect(page.get_by_text("Please acknowledge it by")).to_be_visible()
    assert_no_axe_violations(page, axe)
