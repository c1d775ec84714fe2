"""The admin shows nothing of reports: no report model, no deletion, no page listing related objects.

HR's "delete person" page used to list "Concern report: Confidential report" for the reporter and the
subject, so a subject who later became HR could learn they had been reported. The admin is walked here
as HR (and as a trust administrator), from every page it links to, for the reporter and the subject.
"""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.utils.text import capfirst

from policies.models import PolicyVersion
from reports.models import ConcernReport, ReportEvent
from symphony_portal.trust.models import Role, User
from tests.builders import make_person
from tests.reports.builders import make_report

pytestmark = pytest.mark.django_db

MAX_PAGES = 250  # the walk is bounded: a few dozen pages exist for this small trust


def forbidden_words(report: ConcernReport) -> list[str]:
    """What would betray a report: its models' names, its reference, its words, its admin address."""
    words = ["/admin/reports/", report.reference, report.description[:40], str(report.public_id)]
    for model in apps.get_app_config("reports").get_models():
        words += [f"{capfirst(model._meta.verbose_name)}:", capfirst(model._meta.verbose_name_plural)]
    return [str(w) for w in words if w and str(w) != "Evidence"]  # "evidence" is a word of the policy itself


def walk(client, starts: list[str]) -> dict[str, str]:
    """Every admin page reachable from ``starts`` by its links (GET only), bounded."""
    seen, queue = {}, list(starts)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.text if response.status_code == 200 else f"status {response.status_code}"
        if response.status_code != 200:
            continue
        for link in re.findall(r'href="(/admin/[^"#]*)"', response.text):
            link = link.replace("&amp;", "&")
            if "logout" in link or "/password" in link or link in seen:
                continue
            queue.append(link)
    return seen


@pytest.fixture
def reported(teacher, colleague, head, seed_version):
    clause = seed_version.clauses.order_by("section__position", "position").first()
    return make_report(teacher, colleague, clause_keys=[clause.key])


def starting_points(*people) -> list[str]:
    pages = ["/admin/"]
    for person in people:
        base = f"/admin/trust/user/{person.pk}"
        pages += [f"{base}/change/", f"{base}/history/", f"{base}/delete/"]
    for model in admin.site._registry:
        meta = model._meta
        first = model.objects.order_by("pk").first()
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        pages += [base, f"{base}add/"]
        if first is not None:
            pages += [f"{base}{first.pk}/change/", f"{base}{first.pk}/history/", f"{base}{first.pk}/delete/"]
    return pages


@pytest.mark.parametrize("who", ["hr", "administrator"])
def test_it_never_mentions_a_report_on_any_admin_page(client, reported, teacher, colleague, hr, who):
    if who == "administrator":
        viewer = User.objects.create_superuser("root@symphony.test", "root-password-1")
    else:
        viewer = hr
    client.force_login(viewer)
    pages = walk(client, starting_points(teacher, colleague, hr))
    assert len(pages) > 20  # the walk did reach the admin's pages
    assert any("/admin/trust/user/" in url and "Colin Colleague" in text for url, text in pages.items())
    words = forbidden_words(reported)
    leaks = [(url, word) for url, text in pages.items() for word in words if word in text]
    assert leaks == []


def test_it_finds_what_it_looks_for(reported):
    # The words the walk looks for are the ones a delete page of the subject used to show.
    words = forbidden_words(reported)
    assert "Concern report:" in words and "Report event:" in words and reported.reference in words


def test_it_lets_nobody_delete_a_person_or_anything_else_in_the_admin(client, reported, colleague, hr):
    client.force_login(User.objects.create_superuser("root@symphony.test", "root-password-1"))
    for viewer in (hr, User.objects.get(email="root@symphony.test")):
        client.force_login(viewer)
        assert client.get(f"/admin/trust/user/{colleague.pk}/delete/").status_code == 403
        assert client.post(f"/admin/trust/user/{colleague.pk}/delete/", {"post": "yes"}).status_code == 403
        response = client.post(
            "/admin/trust/user/",
            {"action": "delete_selected", "_selected_action": [colleague.pk], "post": "yes"},
        )
        assert "Concern report" not in response.text
        assert "delete_selected" not in client.get("/admin/trust/user/").text
    assert User.objects.filter(pk=colleague.pk).exists()
    assert ConcernReport.objects.filter(pk=reported.pk).exists()


def test_it_registers_no_report_model_in_the_admin():
    assert [m for m in admin.site._registry if m._meta.app_label == "reports"] == []


def test_it_follows_no_view_on_site_link_to_a_report(client, reported, hr):
    client.force_login(User.objects.create_superuser("root@symphony.test", "root-password-1"))
    for model, pk in ((ConcernReport, reported.pk), (ReportEvent, reported.events.first().pk)):
        content_type = ContentType.objects.get_for_model(model)
        for viewer in (hr, User.objects.get(email="root@symphony.test")):
            client.force_login(viewer)
            response = client.get(f"/admin/r/{content_type.pk}/{pk}/")
            assert response.status_code == 404
            assert str(reported.public_id) not in response.get("Location", "")


def test_it_still_follows_view_on_site_for_the_admins_own_models(client, hr, seed_version):
    client.force_login(hr)
    content_type = ContentType.objects.get_for_model(PolicyVersion)
    response = client.get(f"/admin/r/{content_type.pk}/{seed_version.pk}/")
    assert response.status_code == 302 and response["Location"].endswith(seed_version.get_absolute_url())


def test_it_shows_a_subject_who_becomes_hr_nothing_of_their_report(client, reported, colleague):
    subject = User.objects.get(pk=colleague.pk)
    make_person("Other", roles=[Role.HR])  # not needed to sign in; the subject is now HR too
    from symphony_portal.trust.models import RoleAssignment

    RoleAssignment.objects.create(user=subject, role=Role.HR)
    client.force_login(subject)
    pages = walk(client, starting_points(subject, reported.reporter))
    words = forbidden_words(reported)
    assert [(url, w) for url, text in pages.items() for w in words if w in text] == []
