"""A member of staff reports a colleague's post with a screenshot; the Head handles the case; in Chromium.

axe-core checks every page of the journey, on a desktop and on a 375px phone for the form.
"""

import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Page, expect

from reports.models import ConcernReport, Evidence, ReportEvent

pytestmark = pytest.mark.browser

DESCRIPTION = "A post mocking a parent at the school gate, with a photo of pupils in uniform."


def screenshot_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (240, 240, 255)).save(out, format="PNG")
    return out.getvalue()


def sign_in(page: Page, email: str, password: str, first_name: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name=f"Hello, {first_name}")).to_be_visible()


def assert_no_axe_violations(page: Page, axe: Axe) -> None:
    result = axe.run(page)
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"


def test_it_takes_a_report_from_the_reporter_to_a_closed_case(
    page: Page, browser, base_url, transactional_db, teacher, colleague, head, seed_version
):
    axe = Axe()
    # Tess reports Colin's post, from the menu, on a phone-sized screen first.
    sign_in(page, "tess.teacher@symphony.test", "tess-password-1", "Tess")
    assert_no_axe_violations(page, axe)  # the home page, with the reports panel
    page.get_by_role("link", name="Report a concern", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Report a concern")
    page.set_viewport_size({"width": 375, "height": 812})
    assert_no_axe_violations(page, axe)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_label("What was posted, and why does it concern you?").fill(DESCRIPTION)
    page.get_by_label("Search the trust directory by name").fill("Colin")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_label("What was posted, and why does it concern you?")).to_have_value(DESCRIPTION)
    page.get_by_role("radio", name=re.compile("Colin Colleague")).check()
    assert_no_axe_violations(page, axe)

    page.get_by_label("Where was it posted?").select_option(label="Facebook")
    page.get_by_label("When did you see it?").fill("2026-11-20")
    page.get_by_role("radio", name="Yes, it is still visible").check()
    page.get_by_text("Show the clauses of the").click()
    page.get_by_role("checkbox", name=re.compile(r"^5\.3 ")).check()
    page.get_by_label("Evidence (optional)").set_input_files(
        files=[{"name": "screenshot.png", "mimeType": "image/png", "buffer": screenshot_png()}]
    )
    page.get_by_role("button", name="Send the report").click()

    report = ConcernReport.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Report {report.reference}")
    expect(page.get_by_text("Your report has been received.")).to_be_visible()
    expect(page.locator(".report-status")).to_have_text("Received")
    assert_no_axe_violations(page, axe)
    assert report.subject == colleague and report.handler == head
    assert Evidence.objects.filter(report=report, kind="png").count() == 1
    assert report.cited_clauses.get().number == "5.3"
    page.set_viewport_size({"width": 1280, "height": 900})

    # Hannah, Harmony's Head, opens the case, moves it to under review, then closes it.
    head_context = browser.new_context(base_url=base_url)
    head_page = head_context.new_page()
    sign_in(head_page, "hannah.head@symphony.test", "hannah-password-1", "Hannah")
    expect(head_page.get_by_text("1 case awaiting you")).to_be_visible()
    head_page.get_by_role("link", name="My cases").click()
    expect(head_page.get_by_role("heading", level=1)).to_have_text("My cases")
    assert_no_axe_violations(head_page, axe)
    head_page.get_by_role("link", name=report.reference).click()
    expect(head_page.get_by_role("heading", level=1)).to_have_text(f"Case {report.reference}")
    expect(head_page.get_by_text(DESCRIPTION)).to_be_visible()
    expect(head_page.get_by_text(Evidence.objects.get().sha256)).to_be_visible()
    assert_no_axe_violations(head_page, axe)

    head_page.get_by_label("New status").select_option(label="Under review")
    head_page.locator("#status-note").fill("Receipt acknowledged; looking into it.")
    head_page.get_by_role("button", name="Change the status").click()
    expect(head_page.get_by_text("The case is now under review.")).to_be_visible()
    assert_no_axe_violations(head_page, axe)

    page.goto(f"/reports/mine/{report.public_id}/")
    expect(page.locator(".report-status")).to_have_text("Under review")

    head_page.get_by_label("New status").select_option(label="Closed")
    head_page.get_by_label("Outcome (when closing)").select_option(label="Informal advice")
    head_page.locator("#status-note").fill("Spoke to Colin; the post is down.")
    head_page.get_by_role("button", name="Change the status").click()
    expect(head_page.get_by_text("The case is now closed.")).to_be_visible()
    expect(head_page.locator("h1 + p")).to_contain_text("Informal advice")
    assert_no_axe_violations(head_page, axe)
    head_context.close()

    # Tess sees the case closed on her reports page, and nothing of how it ended.
    page.get_by_role("link", name="My reports", exact=True).click()
    row = page.get_by_role("row", name=re.compile(report.reference))
    expect(row).to_contain_text("Closed")
    expect(page.get_by_text("Informal advice")).to_have_count(0)
    assert_no_axe_violations(page, axe)

    kinds = list(report.events.values_list("kind", flat=True))
    assert kinds.count(ReportEvent.Kind.STATUS_CHANGED) == 2 and ReportEvent.Kind.OPENED in kinds


def test_it_asks_to_pick_a_typed_name_and_lets_the_handler_step_aside(
    page: Page, browser, base_url, transactional_db, teacher, colleague, head, exec_head, chair, seed_version
):
    axe = Axe()
    # Tess types her Head's name instead of picking it: the form shows Hannah and asks her to pick.
    sign_in(page, "tess.teacher@symphony.test", "tess-password-1", "Tess")
    page.goto("/reports/new/")
    page.set_viewport_size({"width": 375, "height": 812})
    page.get_by_label("Or, if they are not listed, type their name").fill("Mrs H. Head")
    page.get_by_label("Where was it posted?").select_option(label="Facebook")
    page.get_by_label("When did you see it?").fill("2026-11-20")
    page.get_by_role("radio", name="Yes, it is still visible").check()
    page.get_by_label("What was posted, and why does it concern you?").fill(DESCRIPTION)
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("The name you typed matches someone in the trust directory")).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile("Hannah Head"))).to_be_visible()
    expect(page.get_by_label("What was posted, and why does it concern you?")).to_have_value(DESCRIPTION)
    assert_no_axe_violations(page, axe)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not ConcernReport.objects.exists()

    # She means someone else with a like name: she says so, and the report goes up to the Executive Head.
    page.get_by_label("The person I mean is not in this list").check()
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Your report has been received.")).to_be_visible()
    report = ConcernReport.objects.get()
    assert report.handler == exec_head and list(report.possible_subjects.all()) == [head]

    # Eve, the Executive Head, has a conflict of interest: she steps aside from the list, after confirming.
    exec_head.set_password("eve-password-1")
    exec_head.save()
    eve = browser.new_context(base_url=base_url).new_page()
    sign_in(eve, exec_head.email, "eve-password-1", "Eve")
    eve.get_by_role("link", name="My cases").click()
    assert_no_axe_violations(eve, axe)
    eve.get_by_role("link", name="Step aside").click()
    expect(eve.get_by_role("heading", level=1)).to_have_text(f"Step aside from case {report.reference}")
    expect(eve.get_by_text(DESCRIPTION)).to_have_count(0)
    assert_no_axe_violations(eve, axe)
    eve.get_by_label("I have a conflict of interest in this case and step aside from it").check()
    eve.get_by_role("button", name="Step aside").click()
    expect(eve.get_by_text(f"You have stepped aside from case {report.reference}")).to_be_visible()
    assert_no_axe_violations(eve, axe)
    report.refresh_from_db()
    assert report.handler == chair and exec_head in report.stepped_aside.all()
    eve.context.close()
