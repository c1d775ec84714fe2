"""HR imports the example file of people, in real Chromium: upload, preview, confirm."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from symphony_portal.trust.models import PeopleImport, User
from tests.acknowledgements.conftest import drain_task_queue
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

EXAMPLE = ROOT / "fixtures" / "people_example.csv"


def assert_no_axe_violations(page: Page, axe: Axe) -> None:
    result = axe.run(page)
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"


def figure(page: Page, list_id: str, term: str):
    """The number shown against a term in one of the summary lists."""
    return page.locator(f"#{list_id} dt", has_text=term).locator("xpath=following-sibling::dd[1]")


def test_it_lets_hr_upload_preview_and_confirm_the_example_file(
    page: Page, transactional_db, hr, harmony, crescendo, teacher
):
    axe = Axe()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(hr.email)
    page.get_by_label("Password").fill("harriet-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Hello, Harriet")).to_be_visible()

    page.get_by_role("link", name="Import people").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import people from a CSV file")
    assert_no_axe_violations(page, axe)

    page.get_by_label("CSV file of people").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page).to_have_url(re.compile(r"/people/import/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Nothing has changed yet")
    expect(figure(page, "summary", "New people")).to_have_text("6")
    expect(figure(page, "summary", "Not in this file")).to_have_text("1")
    expect(figure(page, "summary", "Problems")).to_have_text("0")
    new_people = page.get_by_role("table", name="People this file would create")
    expect(new_people).to_contain_text("Nina Gordon")
    expect(new_people).to_contain_text("nina.gordon@symphony.example")
    assert not User.objects.filter(email="nina.gordon@symphony.example").exists()
    assert_no_axe_violations(page, axe)

    # Tess is not in the file: she stays unless HR ticks the box, which HR leaves unticked here.
    expect(page.get_by_label(re.compile("deactivate the 1 person listed above"))).not_to_be_checked()
    page.get_by_role("button", name="Confirm the import").click()
    # The request only queues the import: the page says so, and updates itself while a worker applies it.
    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("waiting for the server to apply it")
    expect(progress).to_have_attribute("aria-live", "polite")
    assert_no_axe_violations(page, axe)
    drain_task_queue()  # a worker runs the task
    expect(progress).to_contain_text(
        "Imported: 6 created, 0 updated, 0 deactivated, 0 unchanged.", timeout=15000
    )
    expect(figure(page, "outcome", "Created")).to_have_text("6")
    assert_no_axe_violations(page, axe)

    assert PeopleImport.objects.get().status == PeopleImport.Status.IMPORTED
    assert User.objects.get(email="nina.gordon@symphony.example").job_title == "Teacher, Year 3"
    # Omar is HR by job title; the role itself is granted by a trust administrator, never by an import.
    assert not User.objects.get(email="omar.haddad@symphony.example").is_hr
    assert User.objects.get(pk=teacher.pk).is_active

    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/people/import/")
    assert_no_axe_violations(page, axe)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_it_deactivates_only_after_hr_types_how_many_are_listed(
    page: Page, transactional_db, hr, harmony, teacher, colleague
):
    axe = Axe()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(hr.email)
    page.get_by_label("Password").fill("harriet-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/people/import/")
    rows = (
        "email,name,kind,school,role,job title\n"
        + f"{teacher.email},Tess Teacher,employee,harmony-primary,,\n"
    )
    page.get_by_label("CSV file of people").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": rows.encode()}]
    )
    page.get_by_role("button", name="Upload and preview").click()
    leavers = page.get_by_role("table", name="People who would be deactivated")
    expect(leavers).to_contain_text("Colin Colleague")
    expect(leavers).to_contain_text("Harmony Primary School")
    assert_no_axe_violations(page, axe)

    page.get_by_label(re.compile("deactivate the 1 person listed above")).check()
    page.get_by_role("button", name="Confirm the import").click()  # ticked, but no number typed
    expect(page.get_by_role("alert").or_(page.get_by_role("status"))).to_contain_text("type how many")
    assert User.objects.get(pk=colleague.pk).is_active

    page.get_by_label(re.compile("deactivate the 1 person listed above")).check()
    page.get_by_label("To deactivate them, type how many people are listed above").fill("1")
    page.get_by_role("button", name="Confirm the import").click()
    drain_task_queue()
    expect(page.locator("#import-progress")).to_contain_text("1 deactivated", timeout=15000)
    assert not User.objects.get(pk=colleague.pk).is_active and User.objects.get(pk=hr.pk).is_active


def test_it_shows_every_problem_and_role_change_on_a_phone(page: Page, transactional_db, hr, harmony, head):
    axe = Axe()
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(hr.email)
    page.get_by_label("Password").fill("harriet-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/people/import/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download a template CSV").click()
    assert download.value.suggested_filename == "people-template.csv"
    rows = (
        "email,name,kind,school,role,job title\n"
        "new.hr@symphony.test,New Hr,employee,,hr,HR Officer\n"
        "not-an-address,,volunteer,Atlantis,caretaker,\n"
        f"{head.email},Hannah Head,employee,harmony-primary,,Head Teacher\n"
    )
    page.get_by_label("CSV file of people").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": rows.encode()}]
    )
    page.get_by_role("button", name="Upload and preview").click()
    problems = page.get_by_role("table", name="Problems in the file, by row")
    expect(problems).to_contain_text("Would become HR")
    expect(problems).to_contain_text("Would stop being Head Teacher / Head of School")
    expect(problems).to_contain_text("The name is missing.")
    expect(problems).to_contain_text('"caretaker" is not a role')
    expect(page.locator("#role-change-warning")).to_contain_text("2 rows would change someone's roles")
    expect(page.get_by_role("button", name="Confirm the import")).to_have_count(0)
    assert_no_axe_violations(page, axe)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not User.objects.filter(email="new.hr@symphony.test").exists()


def test_it_refreshes_the_progress_page_without_javascript(
    browser, live_server, transactional_db, hr, harmony
):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Email address").fill(hr.email)
        page.get_by_label("Password").fill("harriet-password-1")
        page.get_by_role("button", name="Sign in").click()
        page.goto("/people/import/")
        rows = "email,name,kind,school,role,job title\nnina.gordon@symphony.test,Nina Gordon,employee,,,\n"
        page.get_by_label("CSV file of people").set_input_files(
            files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": rows.encode()}]
        )
        page.get_by_role("button", name="Upload and preview").click()
        page.get_by_role("button", name="Confirm the import").click()
        expect(page.locator("#import-progress")).to_contain_text("waiting for the server to apply it")
        drain_task_queue()
        # The <noscript> refresh reloads the page until the import has ended.
        expect(page.locator("#import-progress")).to_contain_text("Imported: 1 created", timeout=15000)
        assert PeopleImport.objects.get().status == PeopleImport.Status.IMPORTED
    finally:
        context.close()
