"""HR prepares the sign-off pack off the request path, follows the job, downloads the file; every export
is recorded and listed for HR."""

import hashlib
from pathlib import Path

import pytest

from acknowledgements import pack as pack_module
from acknowledgements.pack import build_pack_for_job
from policies.models import ExportKind, PackJob, PolicyExport
from policies.services import request_pack
from symphony_portal.lib.pdf import PDFRenderError
from tests.acknowledgements.conftest import acknowledged


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def launched(monkeypatch):
    """The jobs the views started a builder for (no subprocess in tests)."""
    started = []
    monkeypatch.setattr(pack_module, "launch_pack_builder", started.append)
    return started


def test_it_queues_a_job_and_starts_the_builder_after_commit(
    client, hr, seed_version, launched, django_capture_on_commit_callbacks
):
    client.force_login(hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/acknowledgements/signoff-packs/versions/{seed_version.pk}/prepare/", follow=True
        )

    job = PackJob.objects.get()
    assert (job.version, job.requested_by, job.state) == (seed_version, hr, PackJob.State.PENDING)
    assert launched == [job]
    assert "is being made" in response.content.decode()
    assert "Waiting to start" in response.content.decode()


def test_it_refuses_the_pack_to_a_head_teacher_and_starts_nothing(client, head, seed_version, launched):
    client.force_login(head)
    response = client.post(f"/acknowledgements/signoff-packs/versions/{seed_version.pk}/prepare/")
    assert response.status_code == 403
    assert not PackJob.objects.exists() and launched == []


def test_it_builds_a_job_writes_the_file_and_records_the_export(seed_version, hr, teacher, private_media):
    acknowledged(seed_version, teacher)
    job = build_pack_for_job(request_pack(seed_version, by=hr))

    assert job.state == PackJob.State.DONE and job.finished_at and job.register_rows >= 1
    path = Path(private_media) / job.file_path
    content = path.read_bytes()
    assert path.parent == Path(private_media) / "exports" and content.startswith(b"%PDF-")
    assert job.export.file_sha256 == hashlib.sha256(content).hexdigest()
    assert (job.export.exported_by, job.export.kind) == (hr, ExportKind.SIGNOFF_PACK)
    assert "unsigned" in job.message
    # A second builder for the same job (a retried command) does nothing.
    assert build_pack_for_job(job).export == job.export and PolicyExport.objects.count() == 1


def test_it_marks_a_failed_render_and_leaves_no_file(seed_version, hr, monkeypatch, private_media):
    def too_slow(*args, **kwargs):
        raise PDFRenderError("Making the PDF took longer than 600 seconds and was stopped.")

    monkeypatch.setattr(pack_module, "render_pdf", too_slow)
    job = build_pack_for_job(request_pack(seed_version, by=hr))

    assert job.state == PackJob.State.FAILED
    assert "took longer than 600 seconds" in job.message and "try again" in job.message
    assert not PolicyExport.objects.exists()
    assert not list(Path(private_media).rglob("*"))  # no file, not even a part of one


def test_it_downloads_a_finished_pack_as_an_attachment_and_records_who(client, seed_version, hr, exec_head):
    job = build_pack_for_job(request_pack(seed_version, by=hr))
    client.force_login(exec_head)

    response = client.get(f"/acknowledgements/signoff-packs/{job.pk}/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{job.export.filename}"'
    assert job.export.filename.startswith("social-media-policy-2016-2019-signoff-")
    assert "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"
    download = PolicyExport.objects.exclude(pk=job.export.pk).get()
    assert download.exported_by == exec_head
    assert download.file_sha256 == hashlib.sha256(response.content).hexdigest() == job.export.file_sha256


def test_it_shows_the_job_state_with_a_refresh_link_while_it_is_being_made(client, seed_version, hr):
    job = request_pack(seed_version, by=hr)
    client.force_login(hr)
    page = client.get(f"/acknowledgements/signoff-packs/versions/{seed_version.pk}/").content.decode()
    assert "Waiting to start" in page and "Refresh this page" in page
    build_pack_for_job(job)
    page = client.get(f"/acknowledgements/signoff-packs/versions/{seed_version.pk}/").content.decode()
    assert "Refresh this page" not in page and f"/acknowledgements/signoff-packs/{job.pk}/download/" in page


def test_it_records_policy_pdf_downloads_and_lists_exports_for_hr(client, teacher, hr, seed_version):
    client.force_login(teacher)
    pdf = client.get(f"/policies/{seed_version.policy.slug}/versions/{seed_version.pk}/pdf/").content
    export = PolicyExport.objects.get()
    assert (export.exported_by, export.kind, export.version) == (teacher, ExportKind.POLICY_PDF, seed_version)
    assert export.file_sha256 == hashlib.sha256(pdf).hexdigest()

    assert client.get("/exports/").status_code == 403
    client.force_login(hr)
    page = client.get("/exports/").content.decode()
    assert export.file_sha256 in page and teacher.full_name in page and "Policy PDF" in page
