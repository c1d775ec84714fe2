"""HR cannot make themselves a reader of cases; a trust administrator changes roles, recorded and announced.

The four ways HR was found to gain the Executive Head's reach (the admin's role inline, a CSV import,
the admin's password form, the admin flags) are each refused with a plain message and change nothing.
"""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from symphony_portal.trust import permissions, services
from symphony_portal.trust.models import PeopleImport, Role, RoleAssignment, RoleChange, User
from tests.builders import make_person
from tests.trust.admin_forms import form_data
from tests.trust.importing import csv_of

pytestmark = pytest.mark.django_db

ROLE_REFUSAL = (
    "Role changes for Heads, the Executive Head, the Chair and HR are made by a trust administrator."
)


@pytest.fixture
def administrator(db):
    return make_person("Ada Administrator", password="ada-password-1")


@pytest.fixture
def superuser(administrator):
    administrator.is_superuser = administrator.is_staff = True
    administrator.save()
    return User.objects.get(pk=administrator.pk)


def snapshot():
    """Everything a privilege change could touch: people (with passwords), roles and their records."""
    return (
        list(User.objects.order_by("pk").values()),
        sorted(RoleAssignment.objects.values_list("user_id", "role", "school_id")),
        RoleChange.objects.count(),
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def change_url(person) -> str:
    return f"/admin/trust/user/{person.pk}/change/"


def with_new_role(data: dict, role: str, school=None) -> dict:
    """The person form with one more row in the role inline, as "Add another role" would give."""
    data = dict(data)
    index = int(data["role_assignments-TOTAL_FORMS"])
    data["role_assignments-TOTAL_FORMS"] = str(index + 1)
    data[f"role_assignments-{index}-role"] = role
    data[f"role_assignments-{index}-school"] = str(school.pk) if school else ""
    data[f"role_assignments-{index}-user"] = data.get("role_assignments-0-user", "")
    return data


# 1. The role inline.


def test_it_refuses_hr_adding_the_executive_heads_role_to_themselves_in_the_admin(
    client, hr, exec_head, chair
):
    client.force_login(hr)
    page = client.get(change_url(hr)).text
    assert 'name="role_assignments-MAX_NUM_FORMS" value="0"' in page  # no row can be added
    before = snapshot()
    data = with_new_role(form_data(page), Role.EXECUTIVE_HEAD)
    data["role_assignments-1-user"] = str(hr.pk)
    response = client.post(change_url(hr), data)
    assert response.status_code == 302
    assert ROLE_REFUSAL in messages_of(response)
    assert snapshot() == before
    assert not User.objects.get(pk=hr.pk).is_executive_head


def test_it_refuses_hr_removing_a_heads_role_in_the_admin(client, hr, head):
    client.force_login(hr)
    data = form_data(client.get(change_url(head)).text)
    before = snapshot()
    data["role_assignments-0-DELETE"] = "on"
    response = client.post(change_url(head), data)
    assert ROLE_REFUSAL in messages_of(response)
    assert snapshot() == before


def test_it_refuses_a_role_change_through_the_service_to_anyone_but_an_administrator(hr, head, harmony):
    before = snapshot()
    for person in (hr, head):
        with pytest.raises(PermissionDenied, match="made by a trust administrator"):
            services.grant_role(hr, Role.EXECUTIVE_HEAD, by=person)
        with pytest.raises(PermissionDenied):
            services.remove_role(head, Role.HEAD_TEACHER, school=harmony, by=person)
    assert snapshot() == before


# 2. The people import (the web pages; the shell command is in test_people_import.py).


def test_it_refuses_an_import_row_giving_hr_the_executive_heads_role(client, hr, exec_head, immediate_tasks):
    client.force_login(hr)
    before = snapshot()
    text = csv_of("harriet.hr@symphony.test,Harriet HR,employee,,executive_head;hr,HR Manager")
    client.post("/people/import/", {"file": SimpleUploadedFile("people.csv", text.encode(), "text/csv")})
    record = PeopleImport.objects.get()
    preview = client.get(f"/people/import/{record.pk}/").text
    assert permissions.ROLE_CHANGE_PROBLEM in preview
    response = client.post(f"/people/import/{record.pk}/confirm/", follow=True)
    assert "Nothing was imported" in response.text
    assert snapshot() == before
    assert PeopleImport.objects.get(pk=record.pk).is_pending


# 3. The admin's password form.


@pytest.mark.parametrize("whose", ["exec_head", "superuser"])
def test_it_refuses_to_set_another_persons_password_in_the_admin(client, request, hr, whose):
    person = request.getfixturevalue(whose)
    person.set_password("their-own-password-1")
    person.save()
    client.force_login(hr)
    url = f"/admin/trust/user/{person.pk}/password/"
    before = snapshot()
    for response in (
        client.get(url),
        client.post(url, {"password1": "hr-chose-this-1", "password2": "hr-chose-this-1"}),
    ):
        assert response.status_code == 302
        assert permissions.PASSWORD_REFUSED in messages_of(response)
    assert snapshot() == before
    person = User.objects.get(pk=person.pk)
    assert person.check_password("their-own-password-1") and not person.check_password("hr-chose-this-1")
    # The change page links to no password form.
    page = client.get(change_url(person)).text
    assert "/password/" not in page


def test_it_refuses_a_password_set_by_an_administrator_too(client, superuser, exec_head):
    client.force_login(superuser)
    response = client.post(
        f"/admin/trust/user/{exec_head.pk}/password/",
        {"password1": "admin-chose-this-1", "password2": "admin-chose-this-1"},
    )
    assert permissions.PASSWORD_REFUSED in messages_of(response)
    assert not User.objects.get(pk=exec_head.pk).check_password("admin-chose-this-1")


# 4. The superuser and admin-access flags.


def test_it_refuses_hr_setting_the_superuser_or_staff_flag(client, hr, teacher):
    client.force_login(hr)
    for person in (hr, teacher):
        data = form_data(client.get(change_url(person)).text)
        assert "is_superuser" not in data and "is_staff" not in data  # shown, not offered
        before = snapshot()
        response = client.post(change_url(person), {**data, "is_superuser": "on", "is_staff": "on"})
        assert permissions.FLAGS_REFUSED in messages_of(response)
        assert snapshot() == before
    assert not User.objects.filter(is_superuser=True).exists()


def test_it_leaves_a_superusers_account_and_a_readers_sign_in_address_to_administrators(
    client, hr, superuser, exec_head
):
    client.force_login(hr)
    data = form_data(client.get(change_url(superuser)).text)
    assert client.post(change_url(superuser), {**data, "email": "hr-inbox@symphony.test"}).status_code == 403
    # The Executive Head's address would receive her password reset: HR cannot change it.
    data = form_data(client.get(change_url(exec_head)).text)
    assert "email" not in data
    client.post(change_url(exec_head), {**data, "email": "hr-inbox@symphony.test", "job_title": "Exec"})
    exec_head = User.objects.get(pk=exec_head.pk)
    assert exec_head.email == "eve.executive@symphony.test" and exec_head.job_title == "Exec"
    assert User.objects.get(pk=superuser.pk).email == superuser.email


def test_it_lets_hr_edit_a_persons_ordinary_details(client, hr, teacher):
    client.force_login(hr)
    data = form_data(client.get(change_url(teacher)).text)
    response = client.post(
        change_url(teacher), {**data, "job_title": "Deputy Head", "email": "tess@symphony.test"}
    )
    assert response.status_code == 302
    teacher = User.objects.get(pk=teacher.pk)
    assert (teacher.job_title, teacher.email) == ("Deputy Head", "tess@symphony.test")


def test_it_adds_a_person_without_a_password_and_invites_them(
    client, hr, harmony, django_capture_on_commit_callbacks
):
    client.force_login(hr)
    data = form_data(client.get("/admin/trust/user/add/").text)
    assert not any(name.startswith("password") for name in data)
    data.update(email="Nina@Symphony.test", full_name="Nina Gordon", kind="employee", school=str(harmony.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/trust/user/add/", data)
    assert response.status_code == 302
    nina = User.objects.get(email="nina@symphony.test")
    assert not nina.has_usable_password() and not nina.role_assignments.exists()
    assert [m.to for m in mail.outbox] == [["nina@symphony.test"]]


# What a trust administrator can do, and who is told.


def test_it_lets_an_administrator_grant_the_executive_heads_role_and_tells_the_chair_alone(
    client, superuser, exec_head, chair, hr, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    data = with_new_role(form_data(client.get(change_url(hr)).text), Role.EXECUTIVE_HEAD)
    data["role_assignments-1-user"] = str(hr.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(hr), data)
    assert response.status_code == 302, response.text
    assert User.objects.get(pk=hr.pk).is_executive_head
    change = RoleChange.objects.get()
    assert (change.person, change.role, change.school, change.action, change.changed_by) == (
        hr,
        Role.EXECUTIVE_HEAD,
        None,
        RoleChange.Action.GRANTED,
        superuser,
    )
    assert [m.to for m in mail.outbox] == [[chair.email]]
    body = mail.outbox[0].body
    assert "Executive Head Teacher" in body and "Harriet HR" in body and "Ada Administrator" in body


def test_it_tells_the_executive_head_and_the_chair_when_a_head_is_appointed_or_removed(
    superuser, exec_head, chair, teacher, harmony, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.grant_role(teacher, Role.HEAD_TEACHER, school=harmony, by=superuser)
    assert User.objects.get(pk=teacher.pk).headed_school_ids == {harmony.pk}
    # One message per person (the outbox keeps a row each): the Executive Head and the Chair.
    assert sorted(email for m in mail.outbox for email in m.to) == sorted([exec_head.email, chair.email])
    assert all("Harmony Primary School" in m.body for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_role(teacher, Role.HEAD_TEACHER, school=harmony, by=superuser)
    assert not User.objects.get(pk=teacher.pk).is_head_teacher
    actions = list(RoleChange.objects.order_by("pk").values_list("action", "role", "school", "changed_by"))
    assert actions == [
        ("granted", Role.HEAD_TEACHER, harmony.pk, superuser.pk),
        ("removed", Role.HEAD_TEACHER, harmony.pk, superuser.pk),
    ]
    assert len(mail.outbox) == 4 and all("Removed" in m.body for m in mail.outbox[2:])


def test_it_lets_an_administrator_remove_a_role_in_the_admin(
    client, superuser, head, exec_head, chair, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    data = form_data(client.get(change_url(head)).text)
    data["role_assignments-0-DELETE"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(head), data)
    assert response.status_code == 302
    assert not User.objects.get(pk=head.pk).is_head_teacher
    assert RoleChange.objects.get().action == RoleChange.Action.REMOVED
    assert sorted(email for m in mail.outbox for email in m.to) == sorted([exec_head.email, chair.email])


def test_it_emails_nobody_when_the_role_change_is_rolled_back(
    superuser, teacher, exec_head, chair, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.grant_role(teacher, Role.HR, by=superuser)
        raise RuntimeError("the request failed later")
    assert not RoleChange.objects.exists() and not User.objects.get(pk=teacher.pk).is_hr
    assert mail.outbox == []


def test_it_keeps_role_changes_append_only(superuser, teacher):
    services.grant_role(teacher, Role.HR, by=superuser)
    change = RoleChange.objects.get()
    with pytest.raises(ValidationError):
        change.save()
    with pytest.raises(ValidationError):
        change.delete()
    with pytest.raises(ValidationError):
        RoleChange.objects.update(role=Role.EXECUTIVE_HEAD)
    with pytest.raises(ValidationError):
        RoleChange.objects.all().delete()
    assert RoleChange.objects.get().role == Role.HR


def test_it_refuses_a_role_the_person_holds_already_or_a_head_without_a_school(superuser, head, harmony):
    with pytest.raises(ValidationError, match="already holds"):
        services.grant_role(head, Role.HEAD_TEACHER, school=harmony, by=superuser)
    with pytest.raises(ValidationError, match="needs a school"):
        services.grant_role(head, Role.HEAD_TEACHER, by=superuser)
    with pytest.raises(ValidationError, match="does not hold"):
        services.remove_role(head, Role.HR, by=superuser)
    assert not RoleChange.objects.exists()


def test_it_never_lets_an_inactive_superuser_change_roles(superuser, teacher):
    superuser.is_active = False
    superuser.save()
    with pytest.raises(PermissionDenied):
        services.grant_role(teacher, Role.HR, by=superuser)
    assert not User.objects.get(pk=teacher.pk).is_hr


def test_it_has_a_trust_administrator_in_the_demo_data(db):
    from django.core.management import call_command

    call_command("load_demo_trust", verbosity=0)
    sam = User.objects.get(email="sam.fletcher@symphony.example")
    assert permissions.is_trust_administrator(sam) and permissions.can_change_roles(sam)
    assert sam.check_password("symphony-demo-2026") and not sam.role_assignments.exists()
    # HR in the demo cannot change roles; the administrator is the one who does.
    priya = User.objects.get(email="priya.shah@symphony.example")
    assert not permissions.can_change_roles(priya)


def test_it_shows_the_record_of_role_changes_in_the_admin_read_only(client, superuser, teacher, hr):
    services.grant_role(teacher, Role.HR, by=superuser)
    client.force_login(hr)
    page = client.get("/admin/trust/rolechange/").text
    assert "Tess Teacher" in page and "Ada Administrator" in page
    change = RoleChange.objects.get()
    assert client.get("/admin/trust/rolechange/add/").status_code == 403
    response = client.post(f"/admin/trust/rolechange/{change.pk}/change/", {"role": Role.EXECUTIVE_HEAD})
    assert response.status_code == 403
    assert client.post(f"/admin/trust/rolechange/{change.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RoleChange.objects.get().role == Role.HR


# 5. Deactivating the readers, so that cases go up the chain to HR.


def test_it_never_lets_hrs_import_deactivate_a_reader_of_cases(hr, head, exec_head, chair, teacher):
    from tests.trust.importing import import_now

    before = snapshot()
    record = import_now(
        csv_of("harriet.hr@symphony.test,Harriet HR,employee,,hr,HR Manager"), by=hr, deactivate_missing=True
    )
    assert record.deactivated_count == 1  # Tess, who holds no such role
    assert User.objects.filter(pk__in=[head.pk, exec_head.pk, chair.pk], is_active=True).count() == 3
    assert not User.objects.get(pk=teacher.pk).is_active
    assert snapshot()[1:] == before[1:]  # roles and their record untouched


def test_it_leaves_deactivating_a_reader_of_cases_to_an_administrator(client, hr, superuser, exec_head):
    client.force_login(hr)
    data = form_data(client.get(change_url(exec_head)).text)
    assert "is_active" not in data  # shown, not offered
    client.post(change_url(exec_head), {**data, "job_title": "Executive Head"})
    exec_head = User.objects.get(pk=exec_head.pk)
    assert exec_head.is_active and exec_head.job_title == "Executive Head"
    client.force_login(superuser)
    data = form_data(client.get(change_url(exec_head)).text)
    del data["is_active"]  # unticked
    assert client.post(change_url(exec_head), data).status_code == 302
    assert not User.objects.get(pk=exec_head.pk).is_active
