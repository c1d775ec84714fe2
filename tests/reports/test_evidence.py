"""Evidence is judged by its content; bad files are refused by name and nothing typed is lost."""

import io
import re

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.test import TestCase
from PIL import Image

from reports.evidence import MAX_BYTES, read
from reports.models import ConcernReport, Evidence, Platform, ReportEvent
from tests.reports.builders import jpeg_with_location, make_report, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db

TYPED = "Kept text: the post named a pupil"
FILES_AGAIN = "please choose your evidence files again"


def post_with(client, colleague, files):
    """Post the form; evidence files are written once the transaction commits, so run those callbacks."""
    data = {
        "action": "submit",
        "colleague": colleague.pk,
        "platform": Platform.TWITTER,
        "link": "https://x.example/status/1",
        "seen_on": "2026-11-21",
        "still_visible": "no",
        "description": TYPED,
        "evidence": files,
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/reports/new/", data)


def assert_refused_and_kept(response, *expected):
    page = response.content.decode()
    assert response.status_code == 400
    for text in expected:
        assert text in page, text
    # Everything typed comes back; the files must be chosen again, and the page says so.
    assert TYPED in page and 'value="https://x.example/status/1"' in page
    assert re.search(r'value="no"[^>]*checked', page)
    assert f'value="{Platform.TWITTER}" selected' in page
    assert FILES_AGAIN in page
    assert not ConcernReport.objects.exists() and not Evidence.objects.exists()


@pytest.fixture
def reporter(client, teacher, colleague, head):
    client.force_login(teacher)
    return teacher


def test_it_reencodes_a_png_and_drops_a_payload_hidden_after_it(client, reporter, colleague):
    payload = b"<script>alert('stolen')</script>"
    response = post_with(client, colleague, [upload("shot.png", png_bytes() + payload, "image/png")])
    assert response.status_code == 302
    stored = read(Evidence.objects.get().stored_name)
    assert payload not in stored and b"script" not in stored
    assert Image.open(io.BytesIO(stored)).size == (40, 30)


def test_it_strips_the_location_from_a_photo(client, reporter, colleague):
    original = jpeg_with_location()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)
    response = post_with(client, colleague, [upload("photo.jpg", original, "image/jpeg")])
    assert response.status_code == 302
    item = Evidence.objects.get()
    stored = Image.open(io.BytesIO(read(item.stored_name)))
    assert item.kind == "jpeg" and not stored.getexif() and b"PhoneMaker" not in read(item.stored_name)


def test_it_accepts_a_clean_pdf_as_it_is(client, reporter, colleague):
    data = pdf_bytes()
    assert post_with(client, colleague, [upload("post.pdf", data, "application/pdf")]).status_code == 302
    assert read(Evidence.objects.get().stored_name) == data


def test_it_refuses_a_gif(client, reporter, colleague):
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="GIF")
    response = post_with(client, colleague, [upload("funny.gif", out.getvalue(), "image/gif")])
    assert_refused_and_kept(response, "“funny.gif” is not a PNG, JPEG or PDF file")


def test_it_refuses_text_named_as_a_png(client, reporter, colleague):
    response = post_with(
        client, colleague, [upload("shot.png", b"<html><script>x</script></html>", "image/png")]
    )
    assert_refused_and_kept(response, "“shot.png” is not a PNG, JPEG or PDF file")


def test_it_refuses_a_damaged_png(client, reporter, colleague):
    response = post_with(client, colleague, [upload("broken.png", png_bytes()[:60], "image/png")])
    assert_refused_and_kept(response, "“broken.png” could not be read as an image")


def test_it_refuses_an_encrypted_pdf(client, reporter, colleague):
    response = post_with(client, colleague, [upload("locked.pdf", pdf_bytes(password="secret"))])
    assert_refused_and_kept(response, "“locked.pdf” is a password-protected (encrypted) PDF")


def test_it_refuses_a_pdf_with_javascript(client, reporter, colleague):
    response = post_with(client, colleague, [upload("script.pdf", pdf_bytes(javascript=True))])
    assert_refused_and_kept(response, "“script.pdf” is a PDF that contains JavaScript")


def test_it_refuses_a_pdf_that_runs_javascript_when_opened(client, reporter, colleague):
    response = post_with(client, colleague, [upload("opens.pdf", pdf_bytes(open_action=True))])
    assert_refused_and_kept(response, "“opens.pdf” is a PDF that contains JavaScript")


def test_it_refuses_a_pdf_with_an_automatic_action(client, reporter, colleague):
    response = post_with(client, colleague, [upload("action.pdf", pdf_bytes(action=True))])
    assert_refused_and_kept(response, "“action.pdf” is a PDF that contains")


def test_it_refuses_a_pdf_with_an_embedded_file(client, reporter, colleague):
    response = post_with(client, colleague, [upload("carrier.pdf", pdf_bytes(embedded=True))])
    assert_refused_and_kept(response, "“carrier.pdf” is a PDF that contains embedded files")


def test_it_refuses_a_pdf_with_a_file_attachment_annotation(client, reporter, colleague):
    response = post_with(client, colleague, [upload("annotated.pdf", pdf_bytes(attachment=True))])
    assert_refused_and_kept(response, "“annotated.pdf” is a PDF that contains an attached file")


def test_it_refuses_a_damaged_pdf(client, reporter, colleague):
    response = post_with(client, colleague, [upload("torn.pdf", b"%PDF-1.7\n1 0 obj << /Type /Cat")])
    assert_refused_and_kept(response, "“torn.pdf”")


def test_it_refuses_an_empty_file(client, reporter, colleague):
    response = post_with(client, colleague, [upload("empty.png", b"")])
    assert_refused_and_kept(response, "“empty.png” is empty.")


def test_it_refuses_a_file_over_10_mb_without_reading_it(client, reporter, colleague, monkeypatch):
    big = TemporaryUploadedFile("huge.png", "image/png", 11 * 1024 * 1024, None)
    big.write(png_bytes())
    big.seek(0)
    reads = []
    original_read = TemporaryUploadedFile.read

    def spy(self, *args):
        reads.append(args)
        return original_read(self, *args)

    monkeypatch.setattr(TemporaryUploadedFile, "read", spy)
    from reports.evidence import check_file

    with pytest.raises(Exception, match="is 11.0 MB; files can be up to 10 MB"):
        check_file(big)
    assert reads == []


def test_it_refuses_an_11_mb_upload_through_the_form(client, reporter, colleague):
    data = png_bytes() + b"\0" * (MAX_BYTES + 1024 * 1024)
    response = post_with(client, colleague, [upload("huge.png", data, "image/png")])
    assert_refused_and_kept(response, "“huge.png” is 11.0 MB")


def test_it_refuses_more_than_five_files(client, reporter, colleague):
    files = [upload(f"shot{i}.png", png_bytes(), "image/png") for i in range(6)]
    response = post_with(client, colleague, files)
    assert_refused_and_kept(response, "You chose 6 files; up to 5 can be attached")


def test_it_names_every_bad_file_and_keeps_none_of_a_mixed_batch(client, reporter, colleague):
    files = [upload("good.png", png_bytes(), "image/png"), upload("bad.pdf", pdf_bytes(javascript=True))]
    response = post_with(client, colleague, files)
    assert_refused_and_kept(response, "“bad.pdf” is a PDF that contains JavaScript")
    assert "good.png" not in response.content.decode()


def test_it_serves_evidence_only_as_a_download_and_records_who_took_it(client, teacher, colleague, head):
    from reports.evidence import CheckedFile

    report = make_report(teacher, colleague, files=[CheckedFile("a.png", "png", png_bytes())])
    client.force_login(head)
    response = client.get(f"/reports/cases/{report.public_id}/evidence/1/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{report.reference}-evidence-1.png"'
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == read(report.evidence.get().stored_name)
    event = report.events.get(kind=ReportEvent.Kind.EVIDENCE_DOWNLOADED)
    assert (event.actor, event.evidence.position) == (head, 1)

    page = client.get(f"/reports/cases/{report.public_id}/").content.decode()
    assert report.evidence.get().sha256 in page and "Evidence downloaded" in page


def test_it_keeps_evidence_out_of_any_public_folder(teacher, colleague, head, settings, private_media):
    from reports.evidence import CheckedFile

    report = make_report(teacher, colleague, files=[CheckedFile("a.png", "png", png_bytes())])
    path = private_media / "evidence" / report.evidence.get().stored_name
    assert path.is_file() and path.is_relative_to(private_media)
    for public in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        assert not path.is_relative_to(public)
