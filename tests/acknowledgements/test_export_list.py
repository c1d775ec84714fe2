"""The record of exports: one row per export (a pack made, a pack or policy PDF downloaded) saying what,
which version, who, when and whether signed; unique pack names with the time; a link to every pack kept."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from acknowledgements import pack as pack_module
from acknowledgements.pack import SignoffPack, pack_filename
from acknowledgements.pack_jobs import finish_pack_job, request_pack, run_pack_job, start_pack_job
from policies.models import ExportKind, PolicyExport
from tests.builders import make_version

from .test_signoff_pack_views import quick_render  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(private_media, database_tasks):
    """Files in this test's own folder, tasks in the database."""


def rows(html: str) -> list[str]:
    """The table's rows as plain text, one string each."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("</tr>")[:-1]]


def make_pack(version, hr, content: bytes, filename: str = "p.pdf", signed=False):
    job, _created = request_pack(version, by=hr, queue=False)
    start_pack_job(job)
    return finish_pack_job(
        job, SignoffPack(content=content, filename=filename, signed=signed, register_rows=2)
    )


def test_it_shows_a_pack_made_and_its_download_as_two_different_rows(client, seed_version, hr, exec_head):
    job = make_pack(seed_version, hr, b"%PDF-1.7 one", signed=True)
    client.force_login(exec_head)
    client.get(f"/acknowledgements/signoff-packs/{job.pk}/download/")
    client.force_login(hr)
    page = client.get("/acknowledgements/exports/").content.decode()
    downloaded, made = rows(page)
    assert downloaded.startswith("Sign-off pack downloaded a copy of the pack made")
    assert exec_head.full_name in downloaded and "Signed" in downloaded
    assert made.startswith("Sign-off pack made") and hr.full_name in made and "Signed" in made
    assert str(seed_version) in made
    # One link to download it again, on the row of the pack made.
    assert page.count(f'href="/acknowledgements/signoff-packs/{job.pk}/download/"') == 1
    assert "Download this pack" in made and "Download this pack" not in downloaded


@pytest.mark.usefixtures("quick_render")
def test_it_links_every_pack_still_stored_and_says_which_were_replaced(client, seed_version, hr):
    jobs = [run_pack_job(request_pack(seed_version, by=hr)[0].pk) for _ in range(4)]
    client.force_login(hr)
    page = client.get("/acknowledgements/exports/").content.decode()
    for job in jobs[1:]:  # the last three are kept
        assert f'href="/acknowledgements/signoff-packs/{job.pk}/download/"' in page
    assert f'href="/acknowledgements/signoff-packs/{jobs[0].pk}/download/"' not in page
    assert page.count("File removed: replaced by newer packs") == 1
    # Every link works for HR, and records one download each.
    before = PolicyExport.objects.count()
    for job in jobs[1:]:
        assert client.get(f"/acknowledgements/signoff-packs/{job.pk}/download/").status_code == 200
    assert PolicyExport.objects.count() == before + 3


def test_it_says_unsigned_packs_are_not_signed_and_policy_pdfs_need_no_signature(
    client, seed_version, hr, teacher
):
    make_pack(seed_version, hr, b"%PDF-1.7 two", signed=False)
    client.force_login(teacher)
    client.get(f"/policies/{seed_version.policy.slug}/versions/{seed_version.pk}/pdf/")
    client.force_login(hr)
    pdf, made = rows(client.get("/acknowledgements/exports/").content.decode())
    assert pdf.startswith("Policy PDF downloaded") and "Not applicable" in pdf and teacher.full_name in pdf
    assert "Not signed" in made


def test_it_names_each_pack_with_the_time_it_was_made(seed_version, settings):
    settings.TIME_ZONE = "Europe/London"
    made = datetime(2026, 11, 30, 14, 32, 5, tzinfo=ZoneInfo("UTC"))
    assert pack_filename(seed_version, made) == "social-media-policy-2016-2019-signoff-2026-11-30-143205.pdf"
    later = datetime(2026, 11, 30, 16, 1, 0, tzinfo=ZoneInfo("UTC"))
    assert pack_filename(seed_version, later) != pack_filename(seed_version, made)


def test_it_gives_packs_made_the_same_second_different_names(seed_version, hr):
    first = make_pack(seed_version, hr, b"%PDF-1.7 a", filename="same.pdf")
    second = make_pack(seed_version, hr, b"%PDF-1.7 b", filename="same.pdf")
    third = make_pack(seed_version, hr, b"%PDF-1.7 c", filename="same.pdf")
    assert [first.export.filename, second.export.filename, third.export.filename] == [
        "same.pdf",
        "same-2.pdf",
        "same-3.pdf",
    ]


@pytest.mark.usefixtures("quick_render")
def test_it_names_the_packs_a_worker_makes_with_the_time(seed_version, hr, monkeypatch):
    moment = timezone.make_aware(datetime(2026, 3, 4, 9, 8, 7))
    monkeypatch.setattr(pack_module.timezone, "now", lambda: moment)
    job = run_pack_job(request_pack(seed_version, by=hr)[0].pk)
    assert job.export.filename == "social-media-policy-2016-2019-signoff-2026-03-04-090807.pdf"


@pytest.mark.parametrize("who", ["teacher", "governor", "head", "other_head", "exec_head"])
def test_it_refuses_the_record_of_exports_to_all_but_hr(client, request, who, seed_version, hr):
    make_pack(seed_version, hr, b"%PDF-1.7 three")
    client.force_login(request.getfixturevalue(who))
    assert client.get("/acknowledgements/exports/").status_code == 403
    assert client.get("/exports/").status_code == 403


def test_it_sends_the_old_address_to_the_new_page(client, hr):
    client.force_login(hr)
    response = client.get("/exports/")
    assert response.status_code == 302 and response["Location"] == "/acknowledgements/exports/"


@pytest.mark.parametrize("packs", [2, 12])
def test_it_keeps_the_page_to_a_constant_number_of_queries(
    client, hr, exec_head, teacher, django_assert_max_num_queries, packs
):
    for n in range(packs):
        version = make_version(label=f"v-{n}")
        job = make_pack(version, hr, f"%PDF-1.7 {n}".encode())
        client.force_login(exec_head)
        client.get(f"/acknowledgements/signoff-packs/{job.pk}/download/")
    assert PolicyExport.objects.filter(kind=ExportKind.SIGNOFF_PACK).count() == 2 * packs
    client.force_login(hr)
    with django_assert_max_num_queries(8):
        response = client.get("/acknowledgements/exports/")
    assert len(rows(response.content.decode())) == 2 * packs
