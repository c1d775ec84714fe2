"""The portal's own 403, 404 and 500 pages (DEBUG off, as in production): header, menu, a way back.

The 500 page must appear even when what broke is the database: it then needs no user, session or query.
"""

import re

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import include, path
from django.utils.functional import SimpleLazyObject

from policies.services import start_draft
from symphony_portal.errors import server_error
from tests.builders import make_version

MENU = 'aria-label="Main"'
HOME = "Go to the portal's home page"


def broken_view(request):
    raise RuntimeError("a bug in a view")


def fine_view(request):
    return HttpResponse("fine")


# A URLconf with the portal's pages plus a view that raises; error handlers are read from the root URLconf.
urlpatterns = [path("broken/", broken_view), path("", include("symphony_portal.urls"))]
handler400 = "symphony_portal.errors.bad_request"
handler403 = "symphony_portal.errors.permission_denied"
handler404 = "symphony_portal.errors.page_not_found"
handler500 = "symphony_portal.errors.server_error"


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False


@pytest.mark.django_db
def test_it_answers_a_missing_page_with_its_own_page_the_menu_and_a_way_back(client, teacher):
    client.force_login(teacher)
    response = client.get("/no-such-page/", HTTP_REFERER="http://testserver/policies/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "We could not find that page" in page
    assert MENU in page and "Sign out" in page  # the portal's header and menu
    assert 'href="http://testserver/policies/">Go back to the page you were on' in page
    assert f'href="/">{HOME}' in page


@pytest.mark.django_db
def test_it_never_offers_a_way_back_to_another_site(client, teacher):
    client.force_login(teacher)
    page = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/phish").content.decode()
    assert "evil.example" not in page and "Go back to the page you were on" not in page


@pytest.mark.django_db
def test_it_says_the_same_for_a_hidden_page_as_for_a_missing_one(client, teacher, hr):
    """A draft is invisible (404) to staff: the page must not tell it apart from a page that never existed."""
    live = make_version(label="2024-2027", sections={"Purpose": ["Be kind."]})
    draft = start_draft(live, label="2027-2030", by=hr)
    client.force_login(teacher)
    hidden = client.get(draft.get_draft_url())
    missing = client.get(f"/policies/{live.policy.slug}/drafts/999999/")
    assert hidden.status_code == missing.status_code == 404

    def words(response) -> str:  # the page without its per-response CSRF token
        return re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode())

    assert words(hidden) == words(missing)


@pytest.mark.django_db
def test_it_shows_a_signed_out_visitor_the_missing_page_without_a_menu(client):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404 and "We could not find that page" in page
    assert MENU not in page
    assert f'href="/accounts/login/">{HOME}' in page


@pytest.mark.django_db
def test_it_tells_the_wrong_person_in_plain_words_who_a_page_is_for(client, teacher):
    client.force_login(teacher)
    response = client.get("/people/import/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "This page is not available to you" in page and "Only HR can import people." in page
    assert "You are signed in as Tess Teacher" in page
    assert MENU in page and f'href="/">{HOME}' in page


@pytest.mark.django_db
def test_it_answers_a_failing_page_with_its_own_500_page_and_the_menu(client, teacher, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    client.force_login(teacher)
    response = client.get("/broken/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page and "a bug in a view" not in page  # no internals shown
    assert MENU in page and f'href="/">{HOME}' in page


def test_it_draws_the_500_page_without_the_database_when_the_database_is_what_failed(caplog):
    """No database access is allowed in this test: pytest-django refuses any query outright."""

    def no_database():
        raise OperationalError("could not connect to server")

    request = RequestFactory().get("/policies/")
    request.user = SimpleLazyObject(no_database)
    response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page and "Symphony Learning Trust" in page
    assert "portal.css" in page  # still the portal's look
    assert 'href="/">Go to the portal' in page
    assert "could not be drawn with the menu" in caplog.text
