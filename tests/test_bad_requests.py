"""Too many files or too large a request: the portal's own 400 page with a way back, not Django's bare one."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from reports.models import ConcernReport
from symphony_portal.errors import bad_request

pytestmark = pytest.mark.django_db

REPORT = {
    "action": "submit",
    "platform": "twitter",
    "link": "https://x.example/status/1",
    "seen_on": "2026-11-21",
    "still_visible": "no",
    "description": "The post named a pupil",
}


def png(n: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"shot{n}.png", b"\x89PNG tiny")


def test_it_keeps_what_was_typed_when_far_too_many_files_are_chosen_and_stores_only_a_few(
    client, teacher, colleague, head, monkeypatch
):
    from django.core.files.uploadhandler import MemoryFileUploadHandler

    stored = []
    original = MemoryFileUploadHandler.file_complete

    def counting(self, file_size):
        stored.append(self.file_name)
        return original(self, file_size)

    monkeypatch.setattr(MemoryFileUploadHandler, "file_complete", counting)
    client.force_login(teacher)
    data = {**REPORT, "colleague": colleague.pk, "evidence": [png(n) for n in range(150)]}
    response = client.post("/reports/new/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "You chose 150 files; up to 5 can be attached to one report." in page
    assert "The post named a pupil" in page and 'value="https://x.example/status/1"' in page
    assert len(stored) == 10  # the rest were read and dropped, never kept
    assert not ConcernReport.objects.exists()


def test_it_answers_more_files_than_it_reads_with_its_own_page_and_a_way_back(client, teacher, colleague):
    client.force_login(teacher)
    files = [png(n) for n in range(1001)]
    response = client.post(
        "/reports/new/",
        {"colleague": colleague.pk, "description": "Typed text", "evidence": files},
        HTTP_REFERER="http://testserver/reports/new/",
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Your form was not sent" in page and "more files than the portal accepts" in page
    assert 'href="/reports/new/"' in page and "Back to the form" in page
    assert "Sign out" in page  # the portal's own page, signed in as before
    assert not ConcernReport.objects.exists()


def test_it_answers_a_request_too_large_to_read_the_same_way(client, teacher, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(teacher)
    response = client.post("/reports/new/", {"description": "x" * 2000})
    assert response.status_code == 400
    assert "too large for the portal" in response.content.decode()


def test_it_never_offers_a_way_back_to_another_site(db):
    request = Client().get("/accounts/login/").wsgi_request
    request.META["HTTP_REFERER"] = "https://evil.example/phish"
    page = bad_request(request).content.decode()
    assert "evil.example" not in page and 'href="/accounts/login/"' in page
