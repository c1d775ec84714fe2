"""A person deactivated by an import cannot sign in or keep a session, and their records stay theirs."""

import pytest

from policies.models import PolicyVersion
from symphony_portal.trust.models import Role, RoleAssignment, User
from tests.builders import make_person, make_version
from tests.trust.importing import csv_of, import_now

pytestmark = pytest.mark.django_db

HR_ROW = "harriet.hr@symphony.test,Harriet HR,employee,,hr,HR Manager"


def test_it_ends_a_leavers_session_and_refuses_their_sign_in(client, hr, teacher):
    signed_in = client.post("/accounts/login/", {"username": teacher.email, "password": "tess-password-1"})
    assert signed_in.status_code == 302
    assert client.get("/").status_code == 200

    import_now(csv_of(HR_ROW), by=hr, deactivate_missing=True)

    # The same browser, with the session cookie it had: sent to sign in on its next request.
    after = client.get("/")
    assert after.status_code == 302 and after["Location"].startswith("/accounts/login/")
    again = client.post("/accounts/login/", {"username": teacher.email, "password": "tess-password-1"})
    assert (
        again.status_code == 200
        and "Please enter a correct email address and password" in again.content.decode()
    )


def test_it_drops_a_leaver_from_the_people_lists_use(hr, teacher, colleague, harmony):
    import_now(
        csv_of(HR_ROW, f"{teacher.email},Tess Teacher,employee,harmony-primary,,Year 6 Teacher"),
        by=hr,
        deactivate_missing=True,
    )
    assert set(User.objects.active().in_school(harmony)) == {teacher}
    assert colleague not in User.objects.active()


def test_it_keeps_a_leavers_records_history_and_roles_attributed_to_them(hr, harmony, head):
    from symphony_portal.trust import services

    administrator = User.objects.create_superuser("ada.admin@symphony.test", "ada-password-1")
    # Hannah published a version and edited a draft clause before leaving.
    published = make_version(label="2019-2022", published_by=head)
    draft = make_version(policy=published.policy, label="draft", status=PolicyVersion.Status.DRAFT)
    clause = draft.clauses.first()
    clause._history_user = head
    clause.text = "Reworded by Hannah."
    clause.save()
    # A Head's leaving is recorded by a trust administrator, who takes the role away; HR's import then
    # deactivates her like anyone else.
    services.remove_role(head, Role.HEAD_TEACHER, school=harmony, by=administrator)
    role_history = list(RoleAssignment.history.filter(user_id=head.pk).values_list("history_id", flat=True))
    assert len(role_history) == 2  # granted, then removed by the administrator

    import_now(csv_of(HR_ROW), by=hr, deactivate_missing=True)

    hannah = User.objects.get(pk=head.pk)  # still there: nobody is ever deleted
    assert not hannah.is_active
    assert PolicyVersion.objects.get(pk=published.pk).published_by == hannah
    assert clause.history.filter(history_user=hannah, text="Reworded by Hannah.").exists()
    # Her role's history stays, attributed to whoever changed it.
    assert RoleAssignment.history.get(user_id=head.pk, history_type="-").history_user == administrator
    assert (
        list(RoleAssignment.history.filter(user_id=head.pk).values_list("history_id", flat=True))
        == role_history
    )
    assert hannah.history.first().history_user == hr and not hannah.history.first().is_active


def test_it_never_deletes_anyone_whatever_the_file_says(hr, harmony):
    people = [make_person(f"Person {i}", school=harmony) for i in range(3)]
    count = User.objects.count()
    import_now(csv_of(HR_ROW), by=hr, deactivate_missing=True)
    assert User.objects.count() == count
    assert not User.objects.filter(pk__in=[p.pk for p in people], is_active=True).exists()
