"""The runners' picker: colleagues of the requester's school and the central team, found by name.

Without JavaScript it is a plain search (the form comes back as typed, with the colleagues found to tick);
with it, static/js/runner-picker.js asks approvals:runner_search as the person types (the browser journey
tests/browser/test_runner_picker_journey.py). The server offers and accepts no one else.
"""

import pytest
from django.core.exceptions import ValidationError

from approvals import services
from approvals.models import SiteApprovalRequest
from tests.approvals.builders import REQUEST_FIELDS, make_site_request, request_form_data
from tests.builders import make_person

pytestmark = pytest.mark.django_db

SEARCH = "/approvals/requests/runners/"


def test_it_finds_colleagues_of_the_requesters_school_and_the_central_team_only(
    client_for, teacher, colleague, other_head, hr, exec_head, governor
):
    make_person("Cara Crescendo", school=other_head.school)
    make_person("Cal Leaver", school=teacher.school, is_active=False)
    make_person("Cass Governor", school=teacher.school, kind="governor")

    answer = client_for(teacher).get(SEARCH, {"q": "c"}).json()
    names = {p["name"] for p in answer["people"]}

    assert "Colin Colleague" in names
    assert names.isdisjoint({"Cara Crescendo", "Cal Leaver", "Cass Governor"})
    central = client_for(teacher).get(SEARCH, {"q": "harriet"}).json()["people"]
    assert [(p["name"], p["school"]) for p in central] == [("Harriet HR", "Central trust team")]
    assert client_for(teacher).get(SEARCH, {"q": "Oscar"}).json() == {
        "query": "Oscar",
        "count": 0,
        "shown": 0,
        "people": [],
    }


def test_it_gives_names_only_never_email_addresses(client_for, teacher, colleague):
    response = client_for(teacher).get(SEARCH, {"q": "Colin"})

    assert response.json()["people"] == [
        {"id": colleague.pk, "name": "Colin Colleague", "school": "Harmony Primary School"}
    ]
    assert colleague.email not in response.content.decode()


def test_it_matches_every_word_typed_in_any_order(client_for, teacher, colleague, other_teacher):
    answer = client_for(teacher).get(SEARCH, {"q": "colleague colin"}).json()
    assert [p["name"] for p in answer["people"]] == ["Colin Colleague"]


def test_it_shows_the_first_twenty_and_says_how_many_match(client_for, teacher):
    for i in range(25):
        make_person(f"Sam Runner {i:02}", school=teacher.school)

    answer = client_for(teacher).get(SEARCH, {"q": "Sam Runner"}).json()

    assert (answer["count"], answer["shown"], len(answer["people"])) == (25, 20, 20)


def test_it_refuses_the_search_to_governors_and_trustees_and_asks_others_to_sign_in(
    client, client_for, governor, trustee
):
    assert client_for(governor).get(SEARCH, {"q": "Co"}).status_code == 403
    assert client_for(trustee).get(SEARCH, {"q": "Co"}).status_code == 403
    response = client.get(SEARCH, {"q": "Co"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_refuses_a_forged_runner_from_another_school_with_a_clear_message(
    client_for, teacher, colleague, other_head
):
    response = client_for(teacher).post("/approvals/requests/new/", request_form_data([teacher, other_head]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Only colleagues at Harmony Primary School or in the central trust team can run this site" in page
    assert "Oscar Otherhead" not in page  # a forged choice never shows another school's person
    assert not SiteApprovalRequest.objects.exists()


def test_it_refuses_a_runner_from_another_school_in_the_service_too(teacher, other_head):
    with pytest.raises(ValidationError, match="Only colleagues at Harmony Primary School or in the central"):
        make_site_request(teacher, runners=[teacher, other_head])
    assert not SiteApprovalRequest.objects.exists()


def test_it_lets_a_central_team_requester_name_only_the_central_team(client_for, hr, exec_head, teacher):
    names = {p["name"] for p in client_for(hr).get(SEARCH, {"q": "e"}).json()["people"]}
    assert "Eve Executive" in names and "Tess Teacher" not in names
    with pytest.raises(ValidationError, match="Only colleagues in the central trust team can run this site"):
        make_site_request(hr, runners=[hr, teacher])


def test_it_searches_without_javascript_and_keeps_what_was_typed(client_for, teacher, colleague):
    data = request_form_data([teacher], name="Harmony Choir News", runner_q="Colin", find_runners="1")

    response = client_for(teacher).post("/approvals/requests/new/", data)

    page = response.content.decode()
    assert response.status_code == 200
    assert not SiteApprovalRequest.objects.exists()
    assert 'value="Harmony Choir News"' in page
    assert f'value="{teacher.pk}" id="runner-{teacher.pk}" checked' in page
    assert f'value="{colleague.pk}" id="runner-{colleague.pk}">' in page  # found, to tick
    assert "1 colleague found for “Colin”." in page
    assert "Name at least two colleagues" not in page  # a search is not a sending: no errors yet


def test_it_sends_the_request_once_the_colleague_found_is_ticked(client_for, teacher, colleague):
    response = client_for(teacher).post("/approvals/requests/new/", request_form_data([teacher, colleague]))

    site = SiteApprovalRequest.objects.get()
    assert response.status_code == 302
    assert set(site.runners.all()) == {teacher, colleague}


def test_it_says_when_nobody_matches_and_escapes_what_was_typed(client_for, teacher):
    page = client_for(teacher).get("/approvals/requests/new/", {"runner_q": "<b>Zed</b>"}).content.decode()

    assert "or in the central trust team matches “&lt;b&gt;Zed&lt;/b&gt;”." in page
    assert "<b>Zed</b>" not in page


def test_it_explains_a_runner_named_before_the_rule_who_is_no_longer_in_reach(
    client_for, teacher, colleague, head, other_head
):
    site = make_site_request(teacher, runners=[teacher, colleague])
    site = services.decide_request(site, "changes_requested", by=head, note="Add a moderator.")
    site.runners.add(other_head)  # named before runners were limited to one's school

    page = client_for(teacher).get(f"/approvals/requests/{site.pk}/edit/").content.decode()

    assert "Oscar Otherhead is not at Harmony Primary School or in the central trust team" in page
    assert f'id="runner-{other_head.pk}"' not in page
    assert f'value="{colleague.pk}" id="runner-{colleague.pk}" checked' in page


def test_it_refuses_the_edit_form_a_forged_runner_too(client_for, teacher, colleague, head, other_head):
    site = services.decide_request(
        make_site_request(teacher, runners=[teacher, colleague]), "changes_requested", by=head, note="Fix."
    )
    data = request_form_data([teacher, other_head], **{"name": REQUEST_FIELDS["name"]})

    response = client_for(teacher).post(f"/approvals/requests/{site.pk}/edit/", data)

    site.refresh_from_db()
    assert response.status_code == 200
    assert "can run this site" in response.content.decode()
    assert set(site.runners.all()) == {teacher, colleague}
    assert site.status == SiteApprovalRequest.Status.CHANGES_REQUESTED
