"""Staff register employee groups they created; responsibility moves only when a colleague accepts it."""

import pytest

from approvals import services
from approvals.models import EmployeeGroup, GroupHandover
from tests.approvals.builders import make_group
from tests.builders import make_person

pytestmark = pytest.mark.django_db

Offer = GroupHandover.Status


def test_it_records_the_creator_as_responsible_for_a_group(client_for, teacher):
    client = client_for(teacher)
    response = client.post(
        "/approvals/groups/new/",
        {
            "platform": "facebook",
            "name": "Harmony Runners",
            "link": "https://facebook.com/groups/hr",
            "purpose": "Runs",
        },
    )

    group = EmployeeGroup.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/approvals/groups/{group.pk}/"
    assert (group.responsible, group.registered_by, group.school) == (teacher, teacher, teacher.school)
    assert "You are recorded as responsible" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("link", ["", "javascript:alert(document.cookie)", "ftp://x.test/g"])
def test_it_needs_a_web_address_for_a_group(client_for, teacher, link):
    response = client_for(teacher).post(
        "/approvals/groups/new/", {"platform": "facebook", "name": "G", "link": link, "purpose": "P"}
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not EmployeeGroup.objects.exists()


def test_it_moves_responsibility_only_when_the_colleague_accepts(client_for, teacher, colleague):
    group = make_group(teacher)

    offered = client_for(teacher).post(
        f"/approvals/groups/{group.pk}/hand-over/", {"offered_to": colleague.pk}
    )
    assert offered.status_code == 302
    handover = GroupHandover.objects.get()
    assert (handover.offered_by, handover.offered_to, handover.status) == (teacher, colleague, Offer.OFFERED)
    group.refresh_from_db()
    assert group.responsible == teacher  # not yet

    colin = client_for(colleague)
    assert "offers you responsibility for the group Staff Wellbeing" in colin.get("/").content.decode()
    accepted = colin.post(f"/approvals/hand-overs/{handover.pk}/answer/", {"answer": "accept"})
    assert accepted.status_code == 302
    group.refresh_from_db()
    handover.refresh_from_db()
    assert group.responsible == colleague and handover.status == Offer.ACCEPTED and handover.answered_at
    assert (
        "You are now responsible for monitoring Staff Wellbeing."
        in colin.get(accepted["Location"]).content.decode()
    )
    # The history keeps who was responsible before, and who moved it.
    responsible_over_time = [h.responsible_id for h in group.history.order_by("history_date", "history_id")]
    assert responsible_over_time == [teacher.pk, colleague.pk]
    assert group.history.latest().history_user == colleague


def test_it_leaves_responsibility_where_it_was_when_the_colleague_declines(client_for, teacher, colleague):
    group = make_group(teacher)
    handover = services.offer_group(group, by=teacher, to=colleague)

    client_for(colleague).post(f"/approvals/hand-overs/{handover.pk}/answer/", {"answer": "decline"})

    handover.refresh_from_db()
    group.refresh_from_db()
    assert handover.status == Offer.DECLINED and group.responsible == teacher


def test_it_replaces_an_open_offer_with_a_new_one(teacher, colleague, other_teacher):
    group = make_group(teacher)
    first = services.offer_group(group, by=teacher, to=colleague)
    second = services.offer_group(group, by=teacher, to=other_teacher)

    first.refresh_from_db()
    assert first.status == Offer.CANCELLED and second.status == Offer.OFFERED
    with pytest.raises(services.ValidationError):
        services.accept_handover(first, by=colleague)
    group.refresh_from_db()
    assert group.responsible == teacher


@pytest.mark.parametrize(
    ("who", "status"), [("teacher", 403), ("other_teacher", 403), ("head", 403), ("other_head", 404)]
)
def test_it_lets_only_the_colleague_offered_answer(client_for, teacher, colleague, request, who, status):
    group = make_group(teacher)
    handover = services.offer_group(group, by=teacher, to=colleague)

    response = client_for(request.getfixturevalue(who)).post(
        f"/approvals/hand-overs/{handover.pk}/answer/", {"answer": "accept"}
    )

    assert response.status_code == status
    handover.refresh_from_db()
    group.refresh_from_db()
    assert handover.status == Offer.OFFERED and group.responsible == teacher


def test_it_lets_only_the_responsible_person_offer_a_hand_over(client_for, teacher, colleague, head):
    group = make_group(teacher)

    for person in (colleague, head):
        response = client_for(person).post(
            f"/approvals/groups/{group.pk}/hand-over/", {"offered_to": person.pk}
        )
        assert response.status_code == 403
    assert not GroupHandover.objects.exists()


def test_it_hands_over_only_to_a_colleague_still_with_the_trust(client_for, teacher, governor):
    group = make_group(teacher)
    leaver = make_person("Lee Leaver", school=teacher.school, is_active=False)

    for person in (teacher, leaver, governor):
        response = client_for(teacher).post(
            f"/approvals/groups/{group.pk}/hand-over/", {"offered_to": person.pk}
        )
        assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not GroupHandover.objects.exists()


def test_it_shows_a_colleague_from_another_school_the_group_offered_to_them(
    client_for, teacher, crescendo_teacher, other_head
):
    group = make_group(teacher)
    assert client_for(crescendo_teacher).get(f"/approvals/groups/{group.pk}/").status_code == 404
    handover = services.offer_group(group, by=teacher, to=crescendo_teacher)

    page = client_for(crescendo_teacher).get(f"/approvals/groups/{group.pk}/").content.decode()
    assert "Accept responsibility" in page
    services.accept_handover(handover, by=crescendo_teacher)
    group.refresh_from_db()
    assert group.school == crescendo_teacher.school
    assert client_for(other_head).get(f"/approvals/groups/{group.pk}/").status_code == 200
