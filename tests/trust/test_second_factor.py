"""The second factor (TOTP with recovery codes) for those who read cases or manage people, and superusers.

Codes are computed here from the secret the set-up page shows, by RFC 6238 (not by allauth's code), at
the real time: the portal accepts the code of the current 30-second step only.
"""

import base64
import hashlib
import hmac
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from symphony_portal.mail.models import OutgoingEmail
from symphony_portal.trust.models import SecondFactorReset, User

pytestmark = [pytest.mark.django_db, pytest.mark.second_factor]

STEP = 30
SET_UP = "/accounts/2fa/totp/activate/"
ENTER_CODE = "/accounts/2fa/authenticate/"


def totp(secret: str, at: float) -> str:
    """RFC 6238 with HMAC-SHA1, 6 digits, 30-second steps: what an authenticator app shows at ``at``."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // STEP)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**6:06d}"


def current_code(secret: str) -> str:
    """The code the app shows now, waiting for the next step if this one ends within 3 seconds."""
    remaining = STEP - time.time() % STEP
    if remaining < 3:
        time.sleep(remaining + 0.1)
    return totp(secret, time.time())


def sign_in(client: Client, person: User, password: str):
    return client.post("/accounts/login/", {"username": person.email, "password": password})


def set_up(client: Client) -> tuple[str, list[str]]:
    """Set up the authenticator app from the set-up page; returns its secret and the recovery codes."""
    page = client.get(SET_UP)
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret in page.content.decode()
    done = client.post(SET_UP, {"code": current_code(secret)})
    assert done.status_code == 302 and done["Location"] == "/accounts/2fa/recovery-codes/"
    codes = client.get(done["Location"]).context["unused_codes"]
    assert len(codes) == 10
    return secret, codes


def test_it_sends_a_head_signing_in_with_a_password_to_set_up_a_second_factor(client, head):
    response = sign_in(client, head, "hannah-password-1")
    assert response.status_code == 302 and response["Location"] == "/"
    held = client.get("/")
    assert held.status_code == 302 and held["Location"] == SET_UP
    page = client.get(SET_UP)
    assert page.status_code == 200
    assert "second factor" in page.content.decode()
    assert not Authenticator.objects.filter(user=head).exists()


@pytest.mark.parametrize("person", ["head", "exec_head", "hr", "chair"])
def test_it_asks_every_reader_of_cases_and_hr_to_set_up_a_second_factor(client, person, request):
    person = request.getfixturevalue(person)
    person.set_password("a-password-1")
    person.save()
    sign_in(client, person, "a-password-1")
    assert client.get("/")["Location"] == SET_UP


def test_it_asks_a_superuser_too(client):
    admin = User.objects.create_superuser("sam.admin@symphony.test", "sam-password-1", full_name="Sam Admin")
    sign_in(client, admin, "sam-password-1")
    assert client.get("/")["Location"] == SET_UP
    assert client.get("/admin/")["Location"] == SET_UP


def test_it_does_not_ask_a_member_of_staff(client, teacher):
    sign_in(client, teacher, "tess-password-1")
    assert client.get("/").status_code == 200
    assert client.get(SET_UP).status_code == 200  # she may set one up if she wishes


def test_it_lets_a_head_in_once_the_app_is_set_up_with_a_code_of_the_current_time_step(client, head):
    sign_in(client, head, "hannah-password-1")
    secret = client.get(SET_UP).context["form"].secret
    # A code from two steps ago (an old screen, a clock far behind) is refused and nothing is set up.
    stale = client.post(SET_UP, {"code": totp(secret, time.time() - 2 * STEP)})
    assert stale.status_code == 200 and "Incorrect code" in stale.content.decode()
    assert not Authenticator.objects.filter(user=head).exists()
    assert client.get("/")["Location"] == SET_UP
    done = client.post(SET_UP, {"code": current_code(secret)})
    assert done.status_code == 302
    assert Authenticator.objects.filter(user=head, type=Authenticator.Type.TOTP).count() == 1
    assert Authenticator.objects.filter(user=head, type=Authenticator.Type.RECOVERY_CODES).count() == 1
    assert client.get("/").status_code == 200


def test_it_asks_for_a_code_between_password_and_session_once_set_up(client, head):
    sign_in(client, head, "hannah-password-1")
    secret, _ = set_up(client)
    client.post("/accounts/logout/")

    fresh = Client()
    response = sign_in(fresh, head, "hannah-password-1")
    assert response.status_code == 302 and response["Location"] == ENTER_CODE
    # The password alone opens nothing: no session yet.
    assert fresh.get("/")["Location"].startswith("/accounts/login/")
    wrong = fresh.post(ENTER_CODE, {"code": totp(secret, time.time() - 3 * STEP)})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()
    assert fresh.get("/")["Location"].startswith("/accounts/login/")
    # The code entered just now during set-up is not accepted a second time; the next step's is.
    code = current_code(secret)
    right = fresh.post(ENTER_CODE, {"code": code})
    if right.status_code == 200:  # the set-up used this step's code: wait for the next step
        time.sleep(STEP - time.time() % STEP + 0.1)
        right = fresh.post(ENTER_CODE, {"code": current_code(secret)})
    assert right.status_code == 302 and right["Location"] == "/"
    assert fresh.get("/").status_code == 200


def test_it_refuses_a_code_used_once_already(client, head):
    sign_in(client, head, "hannah-password-1")
    secret, _ = set_up(client)
    client.post("/accounts/logout/")
    # Wait for a step whose code nobody has used, then use it twice.
    time.sleep(STEP - time.time() % STEP + 0.1)
    code = current_code(secret)
    first, second = Client(), Client()
    sign_in(first, head, "hannah-password-1")
    sign_in(second, head, "hannah-password-1")
    assert first.post(ENTER_CODE, {"code": code}).status_code == 302
    replay = second.post(ENTER_CODE, {"code": code})
    assert replay.status_code == 200 and "Incorrect code" in replay.content.decode()
    assert second.get("/")["Location"].startswith("/accounts/login/")


def test_it_takes_each_recovery_code_once(client, head):
    sign_in(client, head, "hannah-password-1")
    _, codes = set_up(client)
    client.post("/accounts/logout/")

    first = Client()
    sign_in(first, head, "hannah-password-1")
    assert first.post(ENTER_CODE, {"code": codes[0]}).status_code == 302
    assert first.get("/").status_code == 200

    again = Client()
    sign_in(again, head, "hannah-password-1")
    reused = again.post(ENTER_CODE, {"code": codes[0]})
    assert reused.status_code == 200 and "Incorrect code" in reused.content.decode()
    assert again.get("/")["Location"].startswith("/accounts/login/")
    assert again.post(ENTER_CODE, {"code": codes[1]}).status_code == 302
    recovery = Authenticator.objects.get(user=head, type=Authenticator.Type.RECOVERY_CODES).wrap()
    assert len(recovery.get_unused_codes()) == 8


def test_it_asks_for_a_code_in_a_session_that_skipped_it(client, head):
    """A session begun without the code (before the set-up, or by another way in) is held until one."""
    sign_in(client, head, "hannah-password-1")
    secret, _ = set_up(client)
    other = Client()
    other.force_login(head)
    held = other.get("/reports/cases/")
    assert held.status_code == 302 and held["Location"].startswith("/accounts/2fa/reauthenticate/")
    time.sleep(STEP - time.time() % STEP + 0.1)  # a step whose code the set-up did not use
    entered = other.post(held["Location"], {"code": current_code(secret), "next": "/reports/cases/"})
    assert entered.status_code == 302 and entered["Location"] == "/reports/cases/"
    assert other.get("/").status_code == 200


def test_it_does_not_let_a_head_turn_off_her_second_factor(client, head):
    sign_in(client, head, "hannah-password-1")
    secret, _ = set_up(client)
    response = client.post("/accounts/2fa/totp/deactivate/", {"code": current_code(secret)})
    assert response.status_code in (200, 403)
    assert Authenticator.objects.filter(user=head, type=Authenticator.Type.TOTP).exists()


def test_it_sends_the_admin_sign_in_to_the_portal_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.fixture
def administrator(db):
    return User.objects.create_superuser("sam.admin@symphony.test", "sam-password-1", full_name="Sam Admin")


def signed_in_with_second_factor(person: User, password: str) -> Client:
    client = Client()
    sign_in(client, person, password)
    set_up(client)
    return client


def test_it_lets_a_trust_administrator_reset_a_persons_second_factor(
    head, administrator, immediate_tasks, django_capture_on_commit_callbacks
):
    heads_client = signed_in_with_second_factor(head, "hannah-password-1")
    admins_client = signed_in_with_second_factor(administrator, "sam-password-1")
    page = admins_client.get(f"/people/{head.pk}/second-factor/")
    assert page.status_code == 200 and "Reset Hannah Head" in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admins_client.post(f"/people/{head.pk}/second-factor/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=head).exists()
    reset = SecondFactorReset.objects.get()
    assert (reset.person, reset.reset_by, reset.removed) == (head, administrator, 2)
    queued = OutgoingEmail.objects.filter(about="second_factor_reset")
    assert list(queued.values_list("to", flat=True)) == [head.email]
    assert [m.to for m in mail.outbox if "second factor" in m.subject] == [[head.email]]
    # Her sessions are ended; the administrator's is not.
    assert heads_client.get("/")["Location"].startswith("/accounts/login/")
    assert admins_client.get("/").status_code == 200
    # At her next sign-in she sets a new one up.
    again = Client()
    sign_in(again, head, "hannah-password-1")
    assert again.get("/")["Location"] == SET_UP


@pytest.mark.parametrize("who", ["hr", "exec_head", "teacher"])
def test_it_refuses_the_reset_to_anyone_else(head, who, request):
    person = request.getfixturevalue(who)
    sign_in(Client(), head, "hannah-password-1")
    Authenticator.objects.create(user=head, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = Client()
    client.force_login(person)
    session = client.session
    session["account_authentication_methods"] = [{"method": "mfa", "at": time.time()}]
    session["account_authentication_methods_user"] = str(person.pk)
    session.save()
    assert client.get(f"/people/{head.pk}/second-factor/").status_code == 403
    assert client.post(f"/people/{head.pk}/second-factor/").status_code == 403
    assert Authenticator.objects.filter(user=head).exists()
    assert not SecondFactorReset.objects.exists()
    assert not OutgoingEmail.objects.filter(about="second_factor_reset").exists()


def test_it_refuses_an_administrator_resetting_their_own(administrator):
    client = signed_in_with_second_factor(administrator, "sam-password-1")
    assert client.post(f"/people/{administrator.pk}/second-factor/").status_code == 403
    assert Authenticator.objects.filter(user=administrator).count() == 2


def test_it_keeps_the_reset_record_as_it_was(head, administrator):
    from django.core.exceptions import ValidationError

    reset = SecondFactorReset.objects.create(person=head, reset_by=administrator)
    with pytest.raises(ValidationError):
        reset.save()
    with pytest.raises(ValidationError):
        reset.delete()


def test_it_still_throttles_passwords_per_account_before_any_code(client, head, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, head, "wrong")
    assert sign_in(client, head, "hannah-password-1").status_code == 429


def test_it_ends_no_other_sessions_than_the_persons(head, teacher, administrator):
    teachers = Client()
    teachers.force_login(teacher)
    count = Session.objects.count()
    from symphony_portal.trust import services

    services.reset_second_factor(head, by=administrator)
    assert Session.objects.count() == count
    assert teachers.get("/").status_code == 200


def test_it_stops_taking_codes_after_a_few_wrong_ones(client, head):
    """Guessing codes is limited (allauth: 5 wrong codes per account in 5 minutes): then even the right
    code is refused for a while."""
    sign_in(client, head, "hannah-password-1")
    secret, _ = set_up(client)
    client.post("/accounts/logout/")
    guesser = Client()
    sign_in(guesser, head, "hannah-password-1")
    for guess in range(5):
        wrong = guesser.post(ENTER_CODE, {"code": f"{guess:06d}"})
        assert wrong.status_code == 200
    time.sleep(STEP - time.time() % STEP + 0.1)  # a step whose code the set-up did not use
    refused = guesser.post(ENTER_CODE, {"code": current_code(secret)})
    assert refused.status_code == 200 and "Too many" in refused.content.decode()
    assert guesser.get("/")["Location"].startswith("/accounts/login/")
