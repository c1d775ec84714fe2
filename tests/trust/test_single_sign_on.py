"""Single sign-on against a real OpenID Connect provider on loopback (tests/oidc_provider/): who gets in,
who is refused and with which words, and when the provider's sign-in counts as a second factor."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.messages import get_messages
from django.test import Client

from symphony_portal.trust import single_sign_on
from symphony_portal.trust.models import Kind, User
from tests.builders import make_person
from tests.oidc_provider.harness import sign_in_through

pytestmark = pytest.mark.django_db

HOME = "/"
SIGN_IN = "/accounts/login/"


def signed_in_as(client: Client):
    return User.objects.filter(pk=client.session.get("_auth_user_id")).first()


def refusal(response) -> list[str]:
    assert response.status_code == 302 and response["Location"] == SIGN_IN
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def leaver(harmony):
    return make_person("Lenny Leaver", school=harmony, is_active=False)


def test_it_signs_in_an_active_person_by_their_email_whatever_its_case(client, sign_in_providers, teacher):
    response = sign_in_through(client, "microsoft", "tess", sign_in_providers.issuer)
    assert response.status_code == 302 and response["Location"] == HOME
    assert signed_in_as(client) == teacher
    assert client.get(HOME).status_code == 200
    assert not SocialAccount.objects.exists()  # the email is the key every time: nothing stored
    assert User.objects.count() == 1


def test_it_signs_in_with_google_from_the_trusts_domain(client, sign_in_providers, teacher):
    response = sign_in_through(client, "google", "tess-google", sign_in_providers.issuer)
    assert response["Location"] == HOME
    assert signed_in_as(client) == teacher


def test_it_returns_to_the_page_asked_for(client, sign_in_providers, teacher):
    response = sign_in_through(
        client, "microsoft", "tess", sign_in_providers.issuer, next_url="/reports/mine/"
    )
    assert response["Location"] == "/reports/mine/"


def test_it_refuses_a_deactivated_person_plainly(client, sign_in_providers, leaver):
    for provider_id, user_name in [("microsoft", "leaver"), ("google", "leaver-google")]:
        response = sign_in_through(Client(), provider_id, user_name, sign_in_providers.issuer)
        assert refusal(response) == [single_sign_on.DEACTIVATED]
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    ("provider_id", "user_name"),
    [
        ("microsoft", "stranger"),
        ("microsoft", "no-email"),
        ("google", "stranger-google"),
        # Google has not verified the address: the same words as an unknown one.
        ("google", "tess-google-unverified"),
    ],
)
def test_it_tells_an_email_matching_nobody_to_ask_hr_and_creates_no_one(
    client, sign_in_providers, teacher, provider_id, user_name
):
    response = sign_in_through(client, provider_id, user_name, sign_in_providers.issuer)
    assert refusal(response) == [single_sign_on.NOT_IN_THE_DIRECTORY]
    assert "HR" in single_sign_on.NOT_IN_THE_DIRECTORY
    assert signed_in_as(client) is None
    assert User.objects.count() == 1
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize(
    ("provider_id", "user_name"),
    [
        ("microsoft", "tess-other-tenant"),
        ("microsoft", "tess-no-tenant"),
        ("google", "tess-google-other-domain"),
        ("google", "tess-google-personal"),
    ],
)
def test_it_refuses_an_account_from_another_tenant_or_domain(
    client, sign_in_providers, teacher, provider_id, user_name
):
    response = sign_in_through(client, provider_id, user_name, sign_in_providers.issuer)
    assert refusal(response) == [single_sign_on.NOT_THE_TRUSTS_ACCOUNT]
    assert signed_in_as(client) is None


@pytest.mark.parametrize("process", ["connect", "redirect"])
def test_nobody_connects_a_providers_account_to_theirs(client, sign_in_providers, teacher, head, process):
    client.force_login(head)
    response = sign_in_through(client, "microsoft", "tess", sign_in_providers.issuer, process=process)
    assert refusal(response) == [single_sign_on.SIGN_IN_FAILED]
    assert not SocialAccount.objects.exists()
    assert signed_in_as(client) == head


def test_the_refusals_show_on_the_sign_in_page(client, sign_in_providers, leaver):
    sign_in_through(client, "microsoft", "leaver", sign_in_providers.issuer)
    page = client.get(SIGN_IN)
    assert "Your account on the portal has been closed" in page.content.decode()


@pytest.mark.second_factor
def test_a_head_whose_provider_used_multi_factor_reaches_every_page(client, sign_in_providers, head):
    response = sign_in_through(client, "microsoft", "hannah-mfa", sign_in_providers.issuer)
    assert response["Location"] == HOME
    assert signed_in_as(client) == head
    assert client.get(HOME).status_code == 200
    assert client.get("/reports/cases/").status_code == 200


@pytest.mark.second_factor
def test_a_head_whose_provider_used_a_password_only_must_set_up_the_portals_second_factor(
    client, sign_in_providers, head
):
    sign_in_through(client, "microsoft", "hannah-password-only", sign_in_providers.issuer)
    assert signed_in_as(client) == head
    for page in (HOME, "/reports/cases/"):
        held = client.get(page)
        assert held.status_code == 302 and held["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.second_factor
def test_a_reader_of_cases_without_a_password_sets_up_the_second_factor_after_signing_in_there(
    client, sign_in_providers, exec_head
):
    from allauth.mfa.models import Authenticator

    from tests.trust.test_second_factor import current_code

    assert not exec_head.has_usable_password()
    sign_in_through(client, "microsoft", "eve-password-only", sign_in_providers.issuer)
    held = client.get(HOME)
    assert held["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get(held["Location"])
    assert page.status_code == 200  # no password to confirm: the provider's sign-in confirmed her
    secret = page.context["form"].secret
    done = client.post(held["Location"], {"code": current_code(secret)})
    assert done.status_code == 302
    assert Authenticator.objects.filter(user=exec_head, type=Authenticator.Type.TOTP).exists()
    assert client.get("/reports/cases/").status_code == 200


@pytest.mark.second_factor
def test_a_head_with_an_authenticator_is_asked_its_code_unless_the_provider_used_multi_factor(
    client, sign_in_providers, head
):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(head, generate_totp_secret())
    asked = sign_in_through(client, "microsoft", "hannah-password-only", sign_in_providers.issuer)
    assert asked["Location"] == "/accounts/2fa/authenticate/"
    assert signed_in_as(client) is None  # no session before the code

    other = Client()
    strong = sign_in_through(other, "microsoft", "hannah-mfa", sign_in_providers.issuer)
    assert strong["Location"] == HOME
    assert signed_in_as(other) == head
    assert other.get("/reports/cases/").status_code == 200


@pytest.mark.second_factor
def test_a_google_sign_in_without_amr_does_not_count_as_a_second_factor(client, sign_in_providers, head):
    response = sign_in_through(client, "google", "hannah-google", sign_in_providers.issuer)
    assert response["Location"] == HOME
    assert signed_in_as(client) == head
    held = client.get(HOME)
    assert held.status_code == 302 and held["Location"] == "/accounts/2fa/totp/activate/"


def test_it_offers_only_the_configured_providers(client, settings, sign_in_providers):
    page = client.get(SIGN_IN).content.decode()
    assert "Sign in with Microsoft" in page and "Sign in with Google" in page
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": sign_in_providers.provider_apps()[1:]}}
    page = client.get(SIGN_IN).content.decode()
    assert "Sign in with Microsoft" not in page and "Sign in with Google" in page
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    page = client.get(SIGN_IN).content.decode()
    assert "Sign in with Microsoft" not in page and "Sign in with Google" not in page


def test_a_cancelled_sign_in_at_the_provider_returns_to_the_sign_in_page(client, sign_in_providers):
    client.post("/accounts/oidc/microsoft/login/")
    response = client.get("/accounts/oidc/microsoft/login/callback/?error=access_denied&state=x")
    assert refusal(response) == [single_sign_on.SIGN_IN_FAILED]


def test_an_unknown_provider_is_not_found(client, sign_in_providers):
    assert client.post("/accounts/oidc/facebook/login/").status_code == 404


class TestPasswordSignInForEmployees:
    def test_it_refuses_an_employees_password_when_switched_off(self, client, settings, teacher):
        settings.PASSWORD_SIGN_IN_FOR_EMPLOYEES = False
        page = client.get(SIGN_IN).content.decode()
        assert "The password form is" in page and "for governors" in page
        response = client.post(SIGN_IN, {"username": teacher.email, "password": "tess-password-1"})
        assert response.status_code == 200
        assert "Staff sign in with the trust&#x27;s Microsoft or Google account" in response.content.decode()
        assert signed_in_as(client) is None

    def test_governors_trustees_and_superusers_keep_their_password(self, client, settings, harmony):
        settings.PASSWORD_SIGN_IN_FOR_EMPLOYEES = False
        people = [
            make_person("Gemma Governor", kind=Kind.GOVERNOR, school=harmony, password="a-long-password-1"),
            make_person("Terry Trustee", kind=Kind.TRUSTEE, password="a-long-password-1"),
        ]
        admin = make_person("Ada Admin", password="a-long-password-1")
        admin.is_superuser = True
        admin.save()
        for person in [*people, admin]:
            browser = Client()
            response = browser.post(SIGN_IN, {"username": person.email, "password": "a-long-password-1"})
            assert response.status_code == 302, person
            assert signed_in_as(browser) == person

    def test_employees_keep_their_password_by_default(self, client, teacher):
        response = client.post(SIGN_IN, {"username": teacher.email, "password": "tess-password-1"})
        assert response.status_code == 302
        assert "for governors" not in client.get("/accounts/logout/").content.decode()

    def test_employees_still_sign_in_with_their_trust_account_when_it_is_off(
        self, client, settings, sign_in_providers, teacher
    ):
        settings.PASSWORD_SIGN_IN_FOR_EMPLOYEES = False
        response = sign_in_through(client, "microsoft", "tess", sign_in_providers.issuer)
        assert response["Location"] == HOME
        assert signed_in_as(client) == teacher


def test_the_sign_in_pages_let_forms_go_to_the_configured_providers_only(client, sign_in_providers):
    policy = client.get(SIGN_IN)["Content-Security-Policy"]
    assert f"form-action 'self' {sign_in_providers.issuer}" in policy
    assert "form-action 'self';" in client.get("/accounts/password_reset/")["Content-Security-Policy"] + ";"


def test_the_provider_page_asked_for_directly_only_offers_to_continue(client, sign_in_providers):
    page = client.get("/accounts/oidc/google/login/")
    assert page.status_code == 200
    assert "Continue to Google" in page.content.decode()
    assert signed_in_as(client) is None


def settings_from(env: dict) -> dict:
    """SOCIALACCOUNT_PROVIDERS' apps and PASSWORD_SIGN_IN_FOR_EMPLOYEES as the settings read them."""
    import json
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SSO_", "PASSWORD_SIGN_IN"))}
    code = (
        "import json; from symphony_portal import settings as s; "
        "apps = s.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS']; "
        "print(json.dumps([apps, s.PASSWORD_SIGN_IN_FOR_EMPLOYEES]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    apps, password = json.loads(result.stdout)
    return {"apps": {app["provider_id"]: app for app in apps}, "password": password}


def test_each_provider_is_configured_from_the_environment_only_when_complete():
    assert settings_from({}) == {"apps": {}, "password": True}
    ms = {"SSO_MICROSOFT_CLIENT_ID": "id", "SSO_MICROSOFT_CLIENT_SECRET": "secret"}
    assert settings_from(ms)["apps"] == {}  # no tenant: not offered
    google = {"SSO_GOOGLE_CLIENT_ID": "gid", "SSO_GOOGLE_CLIENT_SECRET": "gsecret"}
    configured = settings_from(
        {
            **ms,
            "SSO_MICROSOFT_TENANT_ID": "tenant-guid",
            **google,
            "SSO_GOOGLE_HOSTED_DOMAIN": "Symphony.Example",
            "PASSWORD_SIGN_IN_FOR_EMPLOYEES": "false",
        }
    )
    assert configured["password"] is False
    microsoft_app, google_app = configured["apps"]["microsoft"], configured["apps"]["google"]
    assert microsoft_app["settings"]["server_url"] == "https://login.microsoftonline.com/tenant-guid/v2.0"
    assert microsoft_app["settings"]["tenant"] == "tenant-guid"
    assert (microsoft_app["client_id"], microsoft_app["secret"]) == ("id", "secret")
    assert google_app["settings"]["server_url"] == "https://accounts.google.com"
    assert google_app["settings"]["hosted_domain"] == "symphony.example"
