"""Signing in by email, throttling, password reset, and people who have left."""

import pytest
from django.core import mail

from symphony_portal.trust.models import Role, User
from tests.builders import make_person

pytestmark = pytest.mark.django_db

GENERIC_ERROR = "Please enter a correct email address and password"


def sign_in(client, email, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_it_signs_in_by_email_whatever_its_case(client, teacher):
    response = sign_in(client, "TESS.Teacher@Symphony.Test", "tess-password-1")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").context["user"] == teacher


def test_it_does_not_say_whether_an_email_is_registered(client, teacher):
    wrong_password = sign_in(client, teacher.email, "not-her-password").content.decode()
    unknown_email = sign_in(client, "nobody@symphony.test", "not-her-password").content.decode()
    assert GENERIC_ERROR in wrong_password and GENERIC_ERROR in unknown_email


def test_it_throttles_failed_sign_ins_per_account_and_address(client, teacher, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, teacher.email, "wrong")
    locked = sign_in(client, teacher.email, "tess-password-1")
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    # Another address, or another account from this address, is not locked out.
    assert sign_in(client, teacher.email, "tess-password-1", ip="10.0.0.2").status_code == 302


def test_it_lifts_the_lock_after_the_cool_off(client, teacher, settings):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, teacher.email, "wrong")
    assert sign_in(client, teacher.email, "tess-password-1").status_code == 429
    assert settings.AXES_COOLOFF_TIME.total_seconds() > 0
    from django.utils import timezone

    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME * 2)
    assert sign_in(client, teacher.email, "tess-password-1").status_code == 302


def test_it_refuses_a_person_who_has_left(client):
    leaver = make_person("Lena Leaver", password="lena-password-1", is_active=False)
    response = sign_in(client, leaver.email, "lena-password-1")
    assert response.status_code == 200
    assert GENERIC_ERROR in response.content.decode()


def test_it_ends_the_session_of_a_person_who_leaves(client, teacher):
    client.force_login(teacher)
    assert client.get("/").status_code == 200
    User.objects.filter(pk=teacher.pk).update(is_active=False)
    assert client.get("/").status_code == 302


def test_it_emails_a_reset_link_only_to_a_registered_address_and_says_the_same_either_way(
    client, teacher, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/accounts/password_reset/", {"email": teacher.email})
        unknown = client.post("/accounts/password_reset/", {"email": "nobody@symphony.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [teacher.email]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_it_lets_a_person_choose_a_new_password_from_the_link(
    client, teacher, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password_reset/", {"email": teacher.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = "/accounts/reset/" + link.split("/accounts/reset/", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password("a-brand-new-passphrase")


def test_it_keeps_emails_unique_whatever_their_case(teacher):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create(email=teacher.email.upper(), full_name="Copy")


def test_it_knows_who_counts_as_a_head_teacher(harmony, head, exec_head, hr, teacher):
    assert head.headed_school_ids == {harmony.pk} and head.is_head_teacher
    assert exec_head.is_head_teacher and exec_head.is_executive_head and not exec_head.headed_school_ids
    assert hr.is_hr and not hr.is_head_teacher
    assert not teacher.is_head_teacher and not teacher.is_hr


def test_it_requires_a_school_for_a_head_and_none_for_trust_wide_roles(teacher, harmony):
    from django.db import IntegrityError, transaction

    from symphony_portal.trust.models import RoleAssignment

    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=teacher, role=Role.HEAD_TEACHER, school=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=teacher, role=Role.HR, school=harmony)
