"""HR add a policy from a provider's Word document on a phone, address it to employees only, review and
publish it; a member of staff acknowledges it; a governor is not asked (and is refused if they try)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from acknowledgements.models import Acknowledgement
from policies.models import Clause, Policy, PolicyVersion
from tests.builders import make_person
from tests.policies import documents

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def sign_in(page: Page, email: str, password: str, first_name: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name=f"Hello, {first_name}")).to_be_visible()


def assert_fits_and_no_axe_violations(page: Page) -> None:
    result = Axe().run(page)
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways on a phone: {width}px wide"


def test_hr_add_a_policy_from_a_word_document_publish_it_to_employees_only_and_staff_acknowledge_it(
    page: Page, transactional_db, hr, teacher, harmony, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    page.set_viewport_size(PHONE)
    sign_in(page, "harriet.hr@symphony.test", "harriet-password-1", "Harriet")
    page.get_by_role("link", name="Add a policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a policy")
    assert_fits_and_no_axe_violations(page)

    # A bad file first: a clear message, what was typed kept, nothing created.
    page.get_by_label("Title").fill("Social Media Policy")
    page.get_by_label("Version").fill("2026-2029")
    page.get_by_label("Word document (optional)").set_input_files(
        {"name": "policy.docx", "mimeType": "application/octet-stream", "buffer": documents.ole_file()}
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#id_document_error, .invalid-feedback").first).to_contain_text("encrypted")
    expect(page.get_by_label("Title")).to_have_value("Social Media Policy")
    assert_fits_and_no_axe_violations(page)

    # The provider's document: the preview and its fidelity check, before anything is saved.
    page.get_by_label("Word document (optional)").set_input_files(
        {
            "name": "social-media-policy.docx",
            "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "buffer": documents.seed_docx(),
        }
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview: Social Media Policy")
    expect(page.locator("#fidelity-figures")).to_contain_text("72 of 72")
    expect(page.get_by_role("heading", name="5. Employee Responsibility")).to_be_visible()
    expect(page.locator("em", has_text="including if others implicate you")).to_be_visible()
    assert not PolicyVersion.objects.exists()
    assert_fits_and_no_axe_violations(page)

    page.get_by_role("button", name="Add the policy as a draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft 2026-2029 of the Social Media Policy")
    expect(page.locator(".messages")).to_contain_text("draft 2026-2029 has 9 sections and 49 clauses")
    assert Clause.objects.filter(version__policy__slug="social-media-policy").count() == 49
    assert_fits_and_no_axe_violations(page)
    draft_url = page.url

    # Employees only, before it is published (the page is the policy's, so a draft's policy has one too).
    page.get_by_role("link", name="Who must acknowledge this policy, and by when").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who must acknowledge the Social Media Policy")
    assert_fits_and_no_axe_violations(page)
    page.get_by_label("Governors", exact=True).uncheck()
    page.get_by_label("Trustees", exact=True).uncheck()
    page.get_by_role("button", name="Save who must acknowledge").click()
    expect(page.get_by_role("status")).to_contain_text("must acknowledge the Social Media Policy")
    assert_fits_and_no_axe_violations(page)
    policy = Policy.objects.get(slug="social-media-policy")
    assert policy.for_employees and not policy.for_governors and not policy.for_trustees
    page.goto(draft_url)

    # The existing review: record the approval, then publish.
    page.get_by_role("link", name="Record approval").click()
    page.get_by_label("Approved by").fill("Board of Trustees")
    page.get_by_label("Date of approval").fill("2026-07-14")
    page.get_by_label("Minute reference").fill("BT/2026/07/5")
    page.get_by_role("button", name="Record approval").click()
    expect(page.locator(".messages")).to_contain_text("Approval recorded")
    page.get_by_role("link", name="Publish…").click()
    assert_fits_and_no_axe_violations(page)
    page.get_by_role("button", name="Publish 2026-2029").click()
    expect(page).to_have_url(re.compile(r"/policies/social-media-policy/$"))
    expect(page.locator(".messages")).to_contain_text("is published and frozen")
    assert_fits_and_no_axe_violations(page)
    page.get_by_role("button", name="Sign out").click()

    # A member of staff acknowledges it.
    sign_in(page, "tess.teacher@symphony.test", "tess-password-1", "Tess")
    expect(page.get_by_role("link", name="Add a policy")).to_have_count(0)
    page.get_by_role("link", name="Read and acknowledge the Social Media Policy (2026-2029)").click()
    assert_fits_and_no_axe_violations(page)
    page.get_by_role("button", name="Confirm my acknowledgement").click()
    expect(page.get_by_role("heading", level=1, name="Acknowledgement receipt")).to_be_visible()
    assert Acknowledgement.objects.filter(person=teacher, version__label="2026-2029").exists()
    assert_fits_and_no_axe_violations(page)
    page.get_by_role("button", name="Sign out").click()

    # A governor of the same school is not asked: not on home, not on the policy page, refused on a post.
    governor = make_person("Gina Governor", school=harmony, kind="governor", password="gina-password-1")
    version = PolicyVersion.objects.get(policy=policy, label="2026-2029")
    sign_in(page, "gina.governor@symphony.test", "gina-password-1", "Gina")
    expect(page.get_by_text("Nothing: you have acknowledged every current policy.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Read and acknowledge"))).to_have_count(0)
    assert_fits_and_no_axe_violations(page)
    page.goto("/policies/social-media-policy/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Social Media Policy")
    expect(page.get_by_role("link", name=re.compile("acknowledge", re.IGNORECASE))).to_have_count(0)
    expect(page.get_by_role("button", name="Confirm my acknowledgement")).to_have_count(0)
    assert_fits_and_no_axe_violations(page)
    page.goto(f"/acknowledgements/versions/{version.pk}/")
    expect(page.get_by_role("button", name="Confirm my acknowledgement")).to_have_count(0)
    expect(page.get_by_text("is not one you are asked to acknowledge").first).to_be_visible()
    assert_fits_and_no_axe_violations(page)
    # The form posted by hand (the page offers no button): refused with the reason, nothing recorded.
    page.evaluate(
        """(url) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = url;
            const token = document.createElement("input");
            token.type = "hidden";
            token.name = "csrfmiddlewaretoken";
            token.value = document.querySelector("input[name=csrfmiddlewaretoken]").value;
            form.appendChild(token);
            document.body.appendChild(form);
            form.submit();
        }""",
        f"/acknowledgements/versions/{version.pk}/",
    )
    expect(page.locator(".messages")).to_contain_text("is not one you are asked to acknowledge")
    assert not Acknowledgement.objects.filter(person=governor).exists()
    assert_fits_and_no_axe_violations(page)
