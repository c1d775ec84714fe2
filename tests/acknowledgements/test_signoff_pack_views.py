"""HR prepares the sign-off pack (a task), follows it, downloads it; stalled builds fail and can be redone;
each version keeps its last three packs; every export is recorded, each download once."""

import hashlib
import itertools
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from acknowledgements import pack as pack_module
from acknowledgements import pack_jobs
from acknowledgements.models import PackJob
from acknowledgements.pack import SignoffPack
from acknowledgements.pack_jobs import (
    PackJobAbandoned,
    finish_pack_job,
    request_pack,
    run_pack_job,
    start_pack_job,
)
from policies.models import ExportKind, PolicyExport
from symphony_portal.lib.pdf import PDFRenderError
from symphony_portal.lib.storage import private_storage
from tests.acknowledgements.conftest import acknowledged
from tests.builders import make_version

_counter = itertools.count(1)


def pack_tasks():
    """The queued tasks of sign-off packs (other apps' tasks, mail say, are not counted)."""
    return DBTaskResult.objects.filter(task_path="acknowledgements.tasks.make_signoff_pack")


@pytest.fixture(autouse=True)
def _setup(private_media, database_tasks):
    """Every test here keeps its files in its own folder and queues tasks in the database."""


@pytest.fixture
def quick_render(monkeypatch):
    """A stand-in for WeasyPrint (each "PDF" different): the job's bookkeeping, not the layout, is tested."""

    def render(html, **kwargs):
        return b"%PDF-1.7 quick " + str(next(_counter)).encode()

    monkeypatch.setattr(pack_module, "render_pdf", render)


def prepare(client, version, follow=True):
    return client.post(f"/acknowledgements/signoff-packs/versions/{version.pk}/prepare/", follow=follow)


def page(client, version) -> str:
    return client.get(f"/acknowledgements/signoff-packs/versions/{version.pk}/").content.decode()


def stored_files() -> list[str]:
    try:
        return sorted(private_storage().listdir("exports")[1])
    except FileNotFoundError:
        return []


# --- Asking for a pack ---------------------------------------------------------------------------------


def test_it_queues_the_job_and_its_task_in_the_same_transaction(client, hr, seed_version):
    client.force_login(hr)
    response = prepare(client, seed_version)

    job = PackJob.objects.get()
    assert (job.version, job.requested_by, job.state) == (seed_version, hr, PackJob.State.PENDING)
    task = pack_tasks().get()
    assert task.task_path == "acknowledgements.tasks.make_signoff_pack"
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}} and job.task_id == str(task.id)
    text = response.content.decode()
    assert "is being made" in text and "waiting for the server to start making it" in text
    assert 'role="status"' in text and "signoff-pack-progress.js" in text


def test_it_builds_the_pack_at_once_with_the_immediate_backend(client, hr, seed_version, immediate_tasks):
    client.force_login(hr)
    response = prepare(client, seed_version)
    job = PackJob.objects.get()
    assert job.state == PackJob.State.DONE and job.file and job.task_id
    assert f"/acknowledgements/signoff-packs/{job.pk}/download/" in response.content.decode()


def test_it_offers_the_packs_in_the_menu_only_to_those_who_make_them(client, hr, exec_head, head, teacher):
    for person, shown in ((hr, True), (exec_head, True), (head, False), (teacher, False)):
        client.force_login(person)
        menu = client.get("/").content.decode()
        assert ("/acknowledgements/signoff-packs/" in menu) is shown, person


def test_it_queues_no_task_when_the_transaction_rolls_back(hr, seed_version):
    with pytest.raises(RuntimeError), transaction.atomic():
        request_pack(seed_version, by=hr)
        raise RuntimeError("the request failed after asking for the pack")
    assert not PackJob.objects.exists() and not pack_tasks().exists()


def test_it_refuses_the_pack_to_a_head_teacher_and_queues_nothing(client, head, seed_version):
    client.force_login(head)
    response = prepare(client, seed_version, follow=False)
    assert response.status_code == 403
    assert not PackJob.objects.exists() and not pack_tasks().exists()


def test_it_says_a_second_click_is_being_made_and_creates_nothing(client, hr, exec_head, seed_version):
    client.force_login(hr)
    prepare(client, seed_version)
    client.force_login(exec_head)
    response = prepare(client, seed_version)

    assert PackJob.objects.count() == 1 and pack_tasks().count() == 1
    assert "is already being made" in response.content.decode()
    assert "nothing new was started" in response.content.decode()


def test_it_refuses_a_second_build_in_the_database_too(hr, seed_version):
    job, _created = request_pack(seed_version, by=hr)
    with pytest.raises(IntegrityError), transaction.atomic():
        PackJob.objects.create(version=seed_version, deadline_at=timezone.now() + timedelta(minutes=5))
    assert PackJob.objects.get() == job


# --- Building it -------------------------------------------------------------------------------------------


def test_it_builds_a_job_stores_the_file_and_records_the_export(seed_version, hr, teacher):
    acknowledged(seed_version, teacher)
    job, _created = request_pack(seed_version, by=hr)
    job = run_pack_job(job.pk)

    assert job.state == PackJob.State.DONE and job.finished_at and job.register_rows >= 1
    assert job.file.name.startswith(f"exports/job-{job.pk}-social-media-policy-2016-2019-signoff-")
    with job.file.open("rb") as file:
        content = file.read()
    assert content.startswith(b"%PDF-")
    assert job.export.file_sha256 == hashlib.sha256(content).hexdigest()
    assert (job.export.exported_by, job.export.kind) == (hr, ExportKind.SIGNOFF_PACK)
    assert "unsigned" in job.message and job.progress == ""
    # The task run again (a retried task, a second worker) does nothing.
    assert run_pack_job(job.pk).export == job.export and PolicyExport.objects.count() == 1


def test_it_marks_a_failed_render_and_leaves_no_file(seed_version, hr, monkeypatch):
    def too_slow(*args, **kwargs):
        raise PDFRenderError("Making the PDF took longer than 600 seconds and was stopped.")

    monkeypatch.setattr(pack_module, "render_pdf", too_slow)
    job, _created = request_pack(seed_version, by=hr)
    job = run_pack_job(job.pk)

    assert job.state == PackJob.State.FAILED
    assert "took longer than 600 seconds" in job.message and "try again" in job.message
    assert not PolicyExport.objects.exists() and stored_files() == []
    # HR can prepare it again at once.
    assert request_pack(seed_version, by=hr)[1] is True


# --- Builds that die or overrun ---------------------------------------------------------------------------


def test_it_shows_a_build_whose_worker_went_silent_as_failed_and_lets_hr_prepare_it_again(
    client, hr, seed_version, django_capture_on_commit_callbacks
):
    """A worker killed mid-build: its job stays "running" in the database, with a heartbeat going stale."""
    job, _created = request_pack(seed_version, by=hr)
    start_pack_job(job)
    private_storage().save(f"exports/job-{job.pk}-half-written.pdf", ContentFile(b"%PDF-1.7 half"))
    client.force_login(hr)
    assert "The pack is being made" in page(client, seed_version)

    silent_since = timezone.now() - PackJob.stale_after() - timedelta(seconds=1)
    PackJob.objects.filter(pk=job.pk).update(heartbeat_at=silent_since)
    text = page(client, seed_version)
    assert "gave no sign of life after" in text and "Failed" in text
    assert "The pack is being made" not in text and 'data-working="false"' in text
    assert "gave no sign of life" in client.get("/acknowledgements/signoff-packs/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = prepare(client, seed_version)
    assert "is being made. This page shows when it is ready" in response.content.decode()
    job.refresh_from_db()
    assert job.state == PackJob.State.FAILED and "gave no sign of life" in job.message
    assert PackJob.objects.unfinished().get().pk != job.pk
    assert stored_files() == []  # what the dead build left is gone


def test_it_fails_a_build_that_runs_past_its_deadline_and_throws_its_late_work_away(hr, seed_version, client):
    job, _created = request_pack(seed_version, by=hr)
    start_pack_job(job)
    assert job.deadline_at > job.started_at + timedelta(seconds=600)  # SIGNOFF_PACK_TIMEOUT_SECONDS + grace
    PackJob.objects.filter(pk=job.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    client.force_login(hr)
    assert "took longer than its time limit" in page(client, seed_version)

    again, created = request_pack(seed_version, by=hr)
    assert created and again.pk != job.pk
    # The hung builder comes back and finishes: nothing of its work is kept.
    with pytest.raises(PackJobAbandoned):
        finish_pack_job(job, SignoffPack(b"%PDF-1.7 late", "late.pdf", signed=False, register_rows=1))
    job.refresh_from_db()
    assert job.state == PackJob.State.FAILED and not job.file and job.export is None
    assert not PolicyExport.objects.exists() and stored_files() == []


def test_it_stops_a_build_at_its_deadline_through_the_heartbeat(hr, seed_version, monkeypatch):
    """The deadline passes while the PDF is being laid out: the next heartbeat stops the build."""
    job, _created = request_pack(seed_version, by=hr)

    def render(html, *, heartbeat, **kwargs):
        PackJob.objects.filter(pk=job.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
        heartbeat()
        raise AssertionError("the heartbeat should have stopped the build")

    monkeypatch.setattr(pack_module, "render_pdf", render)
    job = run_pack_job(job.pk)

    assert job.state == PackJob.State.FAILED and "took longer than its time limit" in job.message
    assert not PolicyExport.objects.exists() and stored_files() == []


def test_it_fails_a_job_no_worker_started_before_its_deadline(client, hr, seed_version):
    job, _created = request_pack(seed_version, by=hr)
    PackJob.objects.filter(pk=job.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    client.force_login(hr)
    assert "No worker started this build" in page(client, seed_version)
    # A worker that turns up late leaves it alone, and records that it failed.
    job = run_pack_job(job.pk)
    assert job.state == PackJob.State.FAILED and "No worker started this build" in job.message
    assert not PolicyExport.objects.exists()


def test_it_beats_a_heartbeat_while_the_pdf_is_laid_out(hr, seed_version, monkeypatch):
    beats = []
    job, _created = request_pack(seed_version, by=hr)
    real_beat = pack_jobs.beat

    def counting_beat(job, progress=""):
        beats.append(progress)
        real_beat(job, progress)

    monkeypatch.setattr("acknowledgements.pack_jobs.beat", counting_beat)
    real_render = pack_module.render_pdf
    monkeypatch.setattr(
        pack_module, "render_pdf", lambda html, **kw: real_render(html, **{**kw, "heartbeat_every": 0.05})
    )
    assert run_pack_job(job.pk).state == PackJob.State.DONE
    assert beats[0] == "Reading the register" and beats[-1] == "Storing the file"
    assert beats.count("Laying out the PDF") >= 2  # once on the way in, then while waiting for the child


# --- Keeping the last three ---------------------------------------------------------------------------------


def test_it_keeps_the_last_three_packs_of_a_version_and_every_export_record(
    seed_version, hr, quick_render, django_capture_on_commit_callbacks, client
):
    other = make_version(label="other-2020")
    other_job = run_pack_job(request_pack(other, by=hr)[0].pk)
    jobs = []
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            jobs.append(run_pack_job(request_pack(seed_version, by=hr)[0].pk))

    for job in jobs:
        job.refresh_from_db()
    assert [bool(job.file) for job in jobs] == [False, False, True, True, True]
    assert stored_files() == sorted(
        name.removeprefix("exports/") for name in [other_job.file.name] + [j.file.name for j in jobs[2:]]
    )
    assert PolicyExport.objects.filter(kind=ExportKind.SIGNOFF_PACK).count() == 6  # every one made stays
    client.force_login(hr)
    assert client.get(f"/acknowledgements/signoff-packs/{jobs[0].pk}/download/").status_code == 404
    assert client.get(f"/acknowledgements/signoff-packs/{jobs[4].pk}/download/").status_code == 200
    assert "Replaced by newer packs" in page(client, seed_version)


# --- Downloading --------------------------------------------------------------------------------------------


@pytest.fixture
def made(seed_version, hr, quick_render):
    return run_pack_job(request_pack(seed_version, by=hr)[0].pk)


def downloads(job) -> int:
    return PolicyExport.objects.exclude(pk=job.export_id).count()


def test_it_downloads_a_finished_pack_as_an_attachment_and_records_who(client, made, exec_head):
    client.force_login(exec_head)
    response = client.get(f"/acknowledgements/signoff-packs/{made.pk}/download/")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{made.export.filename}"'
    assert "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"
    download = PolicyExport.objects.exclude(pk=made.export.pk).get()
    assert download.exported_by == exec_head
    assert download.file_sha256 == hashlib.sha256(response.content).hexdigest() == made.export.file_sha256


def test_it_records_each_download_once_whatever_ranges_the_browser_asks_for(client, made, hr):
    client.force_login(hr)
    url = f"/acknowledgements/signoff-packs/{made.pk}/download/"
    with made.file.open("rb") as file:
        content = file.read()

    assert client.head(url).status_code == 200 and downloads(made) == 0  # a look, not a download

    first = client.get(url, HTTP_RANGE="bytes=0-9")
    assert first.status_code == 206 and first.content == content[:10]
    assert first["Content-Range"] == f"bytes 0-9/{len(content)}" and downloads(made) == 1
    rest = client.get(url, HTTP_RANGE="bytes=10-", HTTP_IF_RANGE=f'"{made.export.file_sha256}"')
    assert rest.status_code == 206 and first.content + rest.content == content
    tail = client.get(url, HTTP_RANGE="bytes=-5")
    assert tail.content == content[-5:]
    assert downloads(made) == 1  # the rest of the same download

    assert client.get(url, HTTP_RANGE=f"bytes={len(content)}-").status_code == 416
    # A range of another file (If-Range does not match): the whole file, a new download.
    whole = client.get(url, HTTP_RANGE="bytes=10-", HTTP_IF_RANGE='"another"')
    assert whole.status_code == 200 and whole.content == content and downloads(made) == 2
    assert client.get(url).status_code == 200 and downloads(made) == 3
    # Several ranges at once are not offered: the whole file, one download.
    several = client.get(url, HTTP_RANGE="bytes=0-1,5-6")
    assert several.status_code == 200 and several.content == content and downloads(made) == 4


def test_it_refuses_a_pack_whose_file_changed_and_records_nothing(client, made, hr):
    storage = private_storage()
    storage.delete(made.file.name)
    storage.save(made.file.name, ContentFile(b"%PDF-1.7 tampered"))
    client.force_login(hr)
    assert client.get(f"/acknowledgements/signoff-packs/{made.pk}/download/").status_code == 404
    storage.delete(made.file.name)
    assert client.get(f"/acknowledgements/signoff-packs/{made.pk}/download/").status_code == 404
    assert downloads(made) == 0


def test_it_shows_the_download_once_the_pack_is_ready(client, seed_version, hr, quick_render):
    job, _created = request_pack(seed_version, by=hr)
    client.force_login(hr)
    text = page(client, seed_version)
    assert "Refresh this page" in text and 'data-working="true"' in text
    run_pack_job(job.pk)
    text = page(client, seed_version)
    assert "Refresh this page" not in text and 'data-working="false"' in text
    assert (
        "The latest pack is ready" in text and f"/acknowledgements/signoff-packs/{job.pk}/download/" in text
    )
    assert "<script>" not in text  # no inline script: the page updates itself from a static file


@pytest.mark.parametrize("size", [2, 12])
def test_it_reads_the_pack_pages_in_a_constant_number_of_queries(
    size, client, hr, quick_render, django_assert_max_num_queries
):
    for n in range(size):
        run_pack_job(request_pack(make_version(label=f"q-{n}"), by=hr)[0].pk)
    version = make_version(label="q-last")
    for _ in range(size):
        run_pack_job(request_pack(version, by=hr)[0].pk)
    request_pack(version, by=hr)
    client.force_login(hr)
    with django_assert_max_num_queries(12):
        assert client.get("/acknowledgements/signoff-packs/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/acknowledgements/signoff-packs/versions/{version.pk}/").status_code == 200


def test_it_records_policy_pdf_downloads_and_lists_exports_for_hr(client, teacher, hr, seed_version):
    client.force_login(teacher)
    pdf = client.get(f"/policies/{seed_version.policy.slug}/versions/{seed_version.pk}/pdf/").content
    export = PolicyExport.objects.get()
    assert (export.exported_by, export.kind, export.version) == (teacher, ExportKind.POLICY_PDF, seed_version)
    assert export.file_sha256 == hashlib.sha256(pdf).hexdigest()

    assert client.get("/exports/").status_code == 403
    assert client.get("/acknowledgements/exports/").status_code == 403
    client.force_login(hr)
    page_text = client.get("/exports/", follow=True).content.decode()
    assert export.file_sha256 in page_text and teacher.full_name in page_text and "Policy PDF" in page_text
    assert "Prepare a signed-off review pack" in page_text  # acknowledgements' rule, asked by its tag
