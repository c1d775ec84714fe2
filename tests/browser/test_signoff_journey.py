"""HR prepares the signed-off review pack, waits for it and downloads it, in real Chromium.

The pack is a task: the page says it is being made, a worker (`db_worker --batch`, run here by the test
once the job is queued) builds it, and the page updates itself to offer the download, without a reload.
"""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from acknowledgements.models import PackJob
from policies.models import PolicyExport
from tests.acknowledgements.conftest import DATABASE_TASKS, drain_task_queue

pytestmark = pytest.mark.browser


def assert_no_axe_violations(page: Page, axe: Axe) -> None:
    result = axe.run(page)
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"


def test_it_lets_hr_prepare_and_download_the_signoff_pack(
    page: Page, transactional_db, hr, teacher, seed_version, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.TASKS = DATABASE_TASKS
    axe = Axe()

    page.goto("/")
    page.get_by_label("Email address").fill(hr.email)
    page.get_by_label("Password").fill("harriet-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Hello, Harriet")).to_be_visible()

    page.get_by_role("link", name="Sign-off packs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signed-off review packs")
    assert_no_axe_violations(page, axe)
    page.get_by_role("link", name="Social Media Policy 2016-2019").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-off pack: Social Media Policy 2016-2019")
    assert_no_axe_violations(page, axe)

    page.get_by_role("button", name="Prepare the pack").click()
    expect(page.get_by_text("is being made. This page shows when it is ready")).to_be_visible()
    status = page.locator("#pack-progress")  # the live region screen readers hear
    expect(status).to_contain_text("waiting for the server to start making it")
    assert_no_axe_violations(page, axe)
    # A second click while it waits: told so, and nothing new is queued.
    page.get_by_role("button", name="Prepare the pack").click()
    expect(page.get_by_text("is already being made")).to_be_visible()
    assert PackJob.objects.count() == 1

    drain_task_queue()  # the worker builds it; the page, left alone, notices
    expect(status).to_contain_text("The latest pack is ready", timeout=20_000)
    expect(page.get_by_text("Ready", exact=True)).to_be_visible()
    assert_no_axe_violations(page, axe)

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("^Download the PDF")).click()
    download = info.value
    today = timezone.localdate()
    assert re.fullmatch(
        rf"social-media-policy-2016-2019-signoff-{today:%Y-%m-%d}-\d{{6}}\.pdf", download.suggested_filename
    )
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
    assert PackJob.objects.get().state == PackJob.State.DONE
    assert PolicyExport.objects.filter(exported_by=hr).count() == 2  # made, then downloaded

    page.get_by_role("link", name="Exports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exports")
    # One row per export, each saying what it was: the pack made, then HR's download of it.
    expect(page.get_by_role("cell", name=re.compile("^Sign-off pack made"))).to_have_count(1)
    expect(page.get_by_role("cell", name=re.compile("^Sign-off pack downloaded"))).to_have_count(1)
    assert_no_axe_violations(page, axe)
    with page.expect_download() as again:
        page.get_by_role("link", name=re.compile("^Download this pack")).click()
    assert again.value.suggested_filename == download.suggested_filename
    assert PolicyExport.objects.filter(exported_by=hr).count() == 3  # the second download, recorded once
    # On a phone the exports are stacked cards, each value under its column's name; nothing scrolls sideways.
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    expect(page.locator("main table.table-stack")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_no_axe_violations(page, axe)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"/acknowledgements/signoff-packs/versions/{seed_version.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
