"""Too many files or too large a request: the portal's own 400 page with a way back, not Django's bare one."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from reports.models import ConcernReport
from symphony_portal.errors import bad_request

pytestmark = pytest.mark.django_db


def test_it_answers_more_files_than_django_reads_with_its_own_page_and_a_way_back(client, teacher, colleague):
    client.force_login(teacher)
    files = [SimpleUploadedFile(f"shot{n}.png", b"x") for n in range(101)]
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
