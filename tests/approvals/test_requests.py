"""A member of staff asks for approval of a work-related site; it goes to the right Head."""

import pytest
from django.core import mail

from approvals.models import SiteApprovalRequest, SiteEvent
from tests.approvals.builders import make_site_request, request_form_data
from tests.builders import make_person

pytestmark = pytest.mark.django_db


def test_it_sends_a_request_to_the_head_of_the_requesters_school(
    client_for, teacher, colleague, head, other_head, django_capture_on_commit_callbacks
):
    data = request_form_data(
        [teacher, colleague],
        name="Harmony Year 6 News",
        shows_pupil_images="yes",
        consent_confirmed="on",
        link="https://www.facebook.com/harmony-year6",
    )
    client = client_for(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/approvals/requests/new/", data)

    site = SiteApprovalRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/approvals/requests/{site.pk}/"
    assert site.requester == teacher and site.school == teacher.school and not site.for_executive_head
    assert site.status == SiteApprovalRequest.Status.SUBMITTED
    assert set(site.runners.all()) == {teacher, colleague}
    assert site.shows_pupil_images and site.consent_confirmed
    assert site.link == "https://www.facebook.com/harmony-year6"
    assert [(e.kind, e.by) for e in site.events.all()] == [(SiteEvent.Kind.SUBMITTED, teacher)]
    assert list(SiteApprovalRequest.objects.waiting_for(head)) == [site]
    assert list(SiteApprovalRequest.objects.waiting_for(other_head)) == []
    # The Head is told a request waits, with a link and nothing of what it says.
    assert [m.to for m in mail.outbox] == [[head.email]]
    assert f"/approvals/requests/{site.pk}/" in mail.outbox[0].body
    assert "Harmony Year 6 News" not in mail.outbox[0].body + mail.outbox[0].subject
    follow = client.get(response["Location"])
    assert "Your request has been sent for approval." in follow.content.decode()


def test_it_sends_the_central_teams_request_to_the_executive_head(
    client_for, central_staff, exec_head, hr, head, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(central_staff).post("/approvals/requests/new/", request_form_data([central_staff, hr]))

    site = SiteApprovalRequest.objects.get()
    assert site.school is None and site.for_executive_head
    assert list(SiteApprovalRequest.objects.waiting_for(exec_head)) == [site]
    assert [m.to for m in mail.outbox] == [[exec_head.email]]
    assert client_for(head).get(f"/approvals/requests/{site.pk}/").status_code == 404


def test_it_sends_a_heads_own_request_to_the_executive_head(head, teacher, exec_head):
    site = make_site_request(head, runners=[head, teacher])

    assert site.for_executive_head and site.school == head.school
    assert list(SiteApprovalRequest.objects.waiting_for(exec_head)) == [site]
    assert list(SiteApprovalRequest.objects.waiting_for(head)) == []
    assert list(SiteApprovalRequest.objects.decidable_by(head)) == []


def test_it_refuses_fewer_than_two_runners_and_keeps_what_was_typed(client_for, teacher):
    data = request_form_data([teacher], name="Only Me Page")
    response = client_for(teacher).post("/approvals/requests/new/", data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Name at least two colleagues" in page
    assert 'value="Only Me Page"' in page
    assert not SiteApprovalRequest.objects.exists()


def test_it_refuses_pupils_images_without_the_consent_confirmation(client_for, teacher, colleague):
    data = request_form_data([teacher, colleague], shows_pupil_images="yes")
    response = client_for(teacher).post("/approvals/requests/new/", data)

    assert response.status_code == 200
    assert "consent arrangements are confirmed" in response.content.decode()
    assert not SiteApprovalRequest.objects.exists()


def test_it_offers_only_colleagues_still_with_the_trust_as_runners(client_for, teacher, colleague, governor):
    leaver = make_person("Lee Leaver", school=teacher.school, is_active=False)
    for query in ("Colin", "Lee", "Gwen"):
        form_page = client_for(teacher).get(f"/approvals/requests/new/?runner_q={query}").content.decode()
        assert ("Colin Colleague" in form_page) == (query == "Colin")
        assert "Lee Leaver" not in form_page and "Gwen Governor" not in form_page

    response = client_for(teacher).post("/approvals/requests/new/", request_form_data([teacher, leaver]))
    assert response.status_code == 200
    assert "one of the people chosen is not" in response.content.decode()
    assert not SiteApprovalRequest.objects.exists()


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.org/x",
        "not a link",
    ],
)
def test_it_refuses_links_that_are_not_web_addresses(client_for, teacher, colleague, link):
    response = client_for(teacher).post(
        "/approvals/requests/new/", request_form_data([teacher, colleague], link=link)
    )

    assert response.status_code == 200
    assert "Enter a" in response.content.decode()
    assert not SiteApprovalRequest.objects.exists()


def test_it_escapes_what_staff_type(client_for, teacher, colleague, head):
    site = make_site_request(
        teacher,
        runners=[teacher, colleague],
        name='<script>alert("name")</script>',
        purpose="<img src=x onerror=alert(1)>",
    )
    for person in (teacher, head):
        page = client_for(person).get(f"/approvals/requests/{site.pk}/").content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_it_refuses_governors(client_for, governor, teacher):
    response = client_for(governor).post(
        "/approvals/requests/new/", request_form_data([teacher, governor], name="Governors' page")
    )
    assert response.status_code == 403
    assert not SiteApprovalRequest.objects.exists()


def test_it_lists_a_persons_own_requests_and_those_they_are_named_to_run(
    client_for, teacher, colleague, other_teacher
):
    mine = make_site_request(teacher, runners=[teacher, colleague], name="Tess's page")
    runs = make_site_request(other_teacher, runners=[other_teacher, teacher], name="Olive's page")
    make_site_request(other_teacher, runners=[other_teacher, colleague], name="Not Tess's")

    page = client_for(teacher).get("/approvals/requests/").content.decode()

    assert f"/approvals/requests/{mine.pk}/" in page and f"/approvals/requests/{runs.pk}/" in page
    assert "Not Tess" not in page
