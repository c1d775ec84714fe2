"""A Head who signed in with a password and has no second factor reaches no page but the set-up.

Every named URL of the authorization table is asked for (GET, or POST for the rows that post), with the
objects the tables build; the only answers that are not a redirect to the set-up are the set-up itself,
signing out, and what browsers and load balancers call on their own.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.authorization.test_url_table import all_rows, named_urls, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.second_factor

SET_UP = "/accounts/2fa/totp/activate/"
# Not pages: sign-out, the load balancer's health check, the browser's CSP reports.
NOT_PAGES = {"logout", "healthz", "csp_report"}
SET_UP_PAGES = {"mfa_activate_totp", "account_reauthenticate"}


def reached(cast, who: str, password: str, sign_in=None) -> list[str]:
    person = cast.people[who]
    person.set_password(password)
    person.save()
    client = Client()

    def sign_in_with_password(client):
        return client.post("/accounts/login/", {"username": person.email, "password": password})

    sign_in = sign_in or sign_in_with_password
    signed_in = sign_in(client)
    assert signed_in.status_code == 302
    pages = []
    rows = all_rows()
    for name, row in sorted(rows.items()):
        url = reverse(name, args=row.url_args(cast))
        if row.method == "post":
            response = client.post(url, row.data(cast) if row.data else {})
        else:
            response = client.get(url)
        held = response.status_code == 302 and response["Location"] == SET_UP
        if not held and name not in NOT_PAGES:
            pages.append(f"{name} {url}: {response.status_code}")
        if name == "logout":  # signing out ends the walk's session: sign in again
            sign_in(client)
    return pages


@pytest.mark.parametrize("who", ["head", "exec_head", "hr", "chair"])
def test_it_holds_a_reader_of_cases_without_a_second_factor_at_set_up_on_every_url(world, who):  # noqa: F811
    assert set(all_rows()) == named_urls()  # every named URL is walked
    pages = reached(world, who, "a-password-for-the-walk")
    assert sorted(page.split()[0] for page in pages) == sorted(SET_UP_PAGES), "\n".join(pages)
    print(f"{who}: pages reached besides set-up and sign-out: {len(pages) - len(SET_UP_PAGES)}")


def test_it_holds_a_head_signed_in_through_the_trusts_provider_without_multi_factor(
    world,  # noqa: F811
    sign_in_providers,
):
    from tests.oidc_provider.harness import sign_in_through

    world.people["head"].email = "hannah.head@symphony.test"
    world.people["head"].save()

    def through_the_provider(client):
        return sign_in_through(client, "microsoft", "hannah-password-only", sign_in_providers.issuer)

    pages = reached(world, "head", "a-password-for-the-walk", sign_in=through_the_provider)
    assert sorted(page.split()[0] for page in pages) == sorted(SET_UP_PAGES), "\n".join(pages)
