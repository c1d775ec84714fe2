"""The loopback OpenID Connect provider (provider.mjs, panva's oidc-provider under node) for the single
sign-on tests: started on a free port for the test session, stopped after it.

Its accounts are chosen here: the provider's sign-in form takes one of ACCOUNTS' user names and puts
that account's claims (email, email_verified, tid or hd) and amr in the ID token.
"""

import json
import os
import queue
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

HERE = Path(__file__).resolve().parent
TENANT = "8f3c1a52-trust-tenant"
OTHER_TENANT = "0b9d7e14-another-tenant"
DOMAIN = "symphony.test"
CLIENTS = {
    "microsoft": ("portal-microsoft", "microsoft-secret"),
    "google": ("portal-google", "google-secret"),
}
STARTUP_SECONDS = 20


def entra(email: str, *, amr=("pwd",), tid: str = TENANT) -> dict:
    return {"email": email, "tid": tid, "amr": list(amr), "name": email}


def google(email: str, *, verified=True, hd: str | None = DOMAIN) -> dict:
    claims = {"email": email, "email_verified": verified, "name": email}
    if hd is not None:
        claims["hd"] = hd
    return claims


ACCOUNTS = {
    "tess": entra("Tess.Teacher@Symphony.test"),
    "tess-other-tenant": entra("tess.teacher@symphony.test", tid=OTHER_TENANT),
    "tess-no-tenant": {"email": "tess.teacher@symphony.test", "amr": ["pwd"]},
    "leaver": entra("lenny.leaver@symphony.test"),
    "stranger": entra("someone.new@symphony.test"),
    "no-email": {"tid": TENANT, "amr": ["pwd"]},
    "hannah-mfa": entra("hannah.head@symphony.test", amr=("pwd", "mfa")),
    "hannah-password-only": entra("hannah.head@symphony.test", amr=("pwd",)),
    "eve-password-only": entra("eve.executive@symphony.test", amr=("pwd",)),
    "hannah-google": google("hannah.head@symphony.test"),
    "tess-google": google("tess.teacher@symphony.test"),
    "tess-google-unverified": google("tess.teacher@symphony.test", verified=False),
    "tess-google-other-domain": google("tess.teacher@symphony.test", hd="elsewhere.test"),
    "tess-google-personal": google("tess.teacher@symphony.test", hd=None),
    "leaver-google": google("lenny.leaver@symphony.test"),
    "stranger-google": google("someone.new@symphony.test"),
}


@dataclass
class LoopbackProvider:
    issuer: str

    def provider_apps(self) -> list[dict]:
        """settings.SOCIALACCOUNT_PROVIDERS' apps for the trust's tenant and domain, served here."""
        return [
            {
                "provider_id": "microsoft",
                "name": "Microsoft",
                "client_id": CLIENTS["microsoft"][0],
                "secret": CLIENTS["microsoft"][1],
                "settings": {"server_url": self.issuer, "fetch_userinfo": False, "tenant": TENANT},
            },
            {
                "provider_id": "google",
                "name": "Google",
                "client_id": CLIENTS["google"][0],
                "secret": CLIENTS["google"][1],
                "settings": {"server_url": self.issuer, "fetch_userinfo": False, "hosted_domain": DOMAIN},
            },
        ]


def _node_or_skip() -> str:
    node = shutil.which("node")
    missing = None
    if node is None:
        missing = "node (20+) is missing: install nodejs"
    elif not (HERE / "node_modules" / "oidc-provider").exists():
        missing = "the loopback OpenID Connect provider is missing: npm ci --prefix tests/oidc_provider"
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    return node


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider on a free loopback port for the whole session."""
    node = _node_or_skip()
    clients = [
        {
            "client_id": client_id,
            "client_secret": secret,
            "redirect_uris": ["http://127.0.0.1/registered"],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_post",
        }
        for client_id, secret in CLIENTS.values()
    ]
    env = {**os.environ, "OIDC_CLIENTS": json.dumps(clients), "OIDC_ACCOUNTS": json.dumps(ACCOUNTS)}
    process = subprocess.Popen(
        [node, str(HERE / "provider.mjs")],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        try:
            first = lines.get(timeout=STARTUP_SECONDS)
        except queue.Empty:
            first = ""
        if not first.startswith("listening "):
            process.kill()
            raise RuntimeError(f"the loopback provider did not start: {first}{process.stderr.read()}")
        yield LoopbackProvider(issuer=first.split()[1])
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def sign_in_providers(settings, oidc_provider):
    """Both "Sign in with" buttons, pointed at the loopback provider."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": oidc_provider.provider_apps()}
    }
    return oidc_provider


def sign_in_through(
    client, provider_id: str, user_name: str, issuer: str, *, next_url: str = "", process: str = ""
):
    """Press "Sign in with ..." in a Django test client, sign in at the provider's pages as ``user_name``
    (over HTTP, with the provider's cookies), and return the portal's answer to the callback."""
    data = {"next": next_url} if next_url else {}
    if process:
        data["process"] = process
    started = client.post(f"/accounts/oidc/{provider_id}/login/", data)
    assert started.status_code == 302, started.content[:500]
    location = started["Location"]
    assert location.startswith(issuer), location
    with requests.Session() as browser:
        for _hop in range(12):
            if not location.startswith(issuer):
                break
            answer = browser.get(location, allow_redirects=False, timeout=10)
            if answer.status_code == 200 and 'name="login"' in answer.text:
                answer = browser.post(
                    urljoin(location, urlsplit(location).path.rstrip("/") + "/login"),
                    data={"login": user_name, "password": "any"},
                    allow_redirects=False,
                    timeout=10,
                )
            assert answer.status_code in (302, 303), answer.text[:500]
            location = urljoin(location, answer.headers["Location"])
        else:
            raise AssertionError("the provider never sent the browser back")
    callback = urlsplit(location)
    assert callback.path.endswith("/login/callback/"), location
    return client.get(f"{callback.path}?{callback.query}")
