"""Two hosts, one database, one bucket: a file saved by one process is read by another, and no host keeps it.

A real S3-compatible server (moto_server, from moto[server]) runs on a free loopback port for this module.
The portal runs as real separate processes, each with its own local folders (SYMPHONY_VAR_DIR and
SYMPHONY_PRIVATE_MEDIA_ROOT) and the bucket's settings: two web hosts (`manage.py runserver --noreload`,
each on a free port, spoken to over HTTP with a signed-in session) and a task worker
(`manage.py db_worker --batch`).

The processes share one database. It is a SQLite *file* made for this module, on both CI legs: the
in-memory test database cannot be shared between processes, and what is under test is the storage, not the
database (the PostgreSQL leg runs everything else against PostgreSQL). Every wait is bounded; every
process started here is stopped here.
"""

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfWriter

from tests.conftest import free_port
from tests.trust.test_second_factor import current_code

requests = pytest.importorskip("requests")
boto3 = pytest.importorskip("boto3")

MOTO_SERVER = Path(sys.executable).parent / "moto_server"
BUCKET = "portal-private"
PASSWORD = "symphony-demo-2026"  # the demo trust's (load_demo_trust)
REPORTER, HEAD, HR = (
    "tom.baker@symphony.example",
    "sarah.okafor@symphony.example",
    "priya.shah@symphony.example",
)

pytestmark = pytest.mark.skipif(not MOTO_SERVER.exists(), reason="moto[server] is not installed")


def wait_until(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"Gave up after {timeout}s waiting for {what}")


def answers(url: str) -> bool:
    try:
        requests.get(url, timeout=2)
    except requests.RequestException:
        return False
    return True


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


@pytest.fixture(scope="module")
def s3_server():
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: answers(endpoint), timeout=30, what="moto_server")
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="eu-west-2",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
        yield endpoint, client, process
    finally:
        stop(process)


@pytest.fixture(scope="module")
def shared(tmp_path_factory, s3_server):
    """The environment every host shares (database, bucket), with a database holding the demo trust."""
    root = tmp_path_factory.mktemp("several-hosts")
    endpoint, _client, _process = s3_server
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "AWS_", "SYMPHONY_", "DJANGO_"))
    }
    environment.update(
        DJANGO_ENV="development",
        DJANGO_DEBUG="0",
        DATABASE_URL=f"sqlite:///{root / 'shared.sqlite3'}",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=endpoint,
        AWS_S3_REGION_NAME="eu-west-2",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_S3_ADDRESSING_STYLE="path",
        PYTHONDONTWRITEBYTECODE="1",
    )
    for command in (["migrate", "-v", "0"], ["load_demo_trust"], ["load_seed_policy"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=settings.BASE_DIR,
            env={**environment, "SYMPHONY_VAR_DIR": str(root / "setup")},
            check=True,
            capture_output=True,
            timeout=180,
        )
    return root, environment


def host_environment(shared, name: str) -> tuple[dict, Path]:
    root, environment = shared
    local = root / name
    local.mkdir()
    return {
        **environment,
        "SYMPHONY_VAR_DIR": str(local / "var"),
        "SYMPHONY_PRIVATE_MEDIA_ROOT": str(local / "private"),
    }, local


class WebHost:
    """One web host: `manage.py runserver` in its own process, with its own local folders."""

    def __init__(self, shared, name: str):
        self.environment, self.local = host_environment(shared, name)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = (shared[0] / f"{name}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            cwd=settings.BASE_DIR,
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_until(lambda: answers(self.base + "/healthz"), timeout=60, what=f"the {name} host")

    def stop(self):
        stop(self.process)
        self.log.close()

    def signed_in(self, email: str) -> "requests.Session":
        session = requests.Session()
        page = session.get(self.base + "/accounts/login/", timeout=20).text
        response = session.post(
            self.base + "/accounts/login/",
            data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page)},
            allow_redirects=False,
            timeout=20,
        )
        assert response.status_code == 302, response.text[:500]
        self._pass_second_factor(session, email, response.headers["Location"])
        return session

    def _pass_second_factor(self, session: "requests.Session", email: str, after_password: str) -> None:
        """Heads and HR must use a second factor: the first sign-in sets one up (the code computed from
        the key the page shows), later ones, on any host, use one of the recovery codes it gave."""
        if after_password == "/accounts/2fa/authenticate/":
            page = session.get(self.base + after_password, timeout=20).text
            response = session.post(
                self.base + after_password,
                data={"code": RECOVERY_CODES[email].pop(), "csrfmiddlewaretoken": csrf_token(page)},
                allow_redirects=False,
                timeout=20,
            )
            assert response.status_code == 302, response.text[:500]
            return
        held = session.get(self.base + "/", allow_redirects=False, timeout=20)
        if held.status_code != 302 or held.headers["Location"] != "/accounts/2fa/totp/activate/":
            return
        page = session.get(self.base + "/accounts/2fa/totp/activate/", timeout=20).text
        secret = re.search(r'<code class="user-select-all">([A-Z2-7]+)</code>', page).group(1)
        response = session.post(
            self.base + "/accounts/2fa/totp/activate/",
            data={"code": current_code(secret), "csrfmiddlewaretoken": csrf_token(page)},
            allow_redirects=False,
            timeout=20,
        )
        assert response.status_code == 302, response.text[:500]
        codes = session.get(self.base + response.headers["Location"], timeout=20).text
        RECOVERY_CODES[email] = re.findall(r"<li>(\d{8})</li>", codes)
        assert len(RECOVERY_CODES[email]) == 10


# The recovery codes each person who must use a second factor was given at their first sign-in here.
RECOVERY_CODES: dict[str, list[str]] = {}


def csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.fixture(scope="module")
def hosts(shared):
    started = []
    try:
        for name in ("host-a", "host-b"):
            started.append(WebHost(shared, name))
        yield started
    finally:
        for host in started:
            host.stop()


def submission_token(page: str) -> str:
    return re.search(r'name="submission_token" value="([0-9a-f-]{36})"', page).group(1)


def one_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_it_serves_evidence_saved_by_one_host_from_another_byte_for_byte(hosts, s3_server):
    host_a, host_b = hosts
    _endpoint, bucket, _process = s3_server
    evidence = one_page_pdf()

    reporter = host_a.signed_in(REPORTER)
    form = reporter.get(host_a.base + "/reports/new/", timeout=20).text
    # Find the colleague in the directory, as a reporter does, then send the report with the evidence.
    form = reporter.post(
        host_a.base + "/reports/new/",
        data={
            "csrfmiddlewaretoken": csrf_token(form),
            "submission_token": submission_token(form),
            "action": "find",
            "colleague_search": "Josh Reed",
        },
        timeout=20,
    ).text
    colleague = re.search(r'name="colleague" id="colleague-\d+" value="(\d+)"', form).group(1)
    response = reporter.post(
        host_a.base + "/reports/new/",
        data={
            "csrfmiddlewaretoken": csrf_token(form),
            "submission_token": submission_token(form),
            "action": "submit",
            "colleague": colleague,
            "platform": "instagram",
            "link": "https://instagram.example/p/abc",
            "seen_on": "2026-11-20",
            "still_visible": "yes",
            "description": "A post that names a pupil and shares a photo taken in class.",
        },
        files={"evidence": ("post.pdf", evidence, "application/pdf")},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, response.text[:2000]
    stored = bucket.list_objects_v2(Bucket=BUCKET, Prefix="evidence/").get("Contents", [])
    assert len(stored) == 1 and stored[0]["Size"] == len(evidence)

    head = host_b.signed_in(HEAD)
    cases = head.get(host_b.base + "/reports/cases/", timeout=20).text
    case = re.search(r'href="(/reports/cases/[0-9a-f-]{36}/)"', cases).group(1)
    download = head.get(host_b.base + case + "evidence/1/", timeout=20)
    assert download.status_code == 200
    assert download.content == evidence
    assert download.headers["Content-Disposition"].startswith("attachment")
    # The reporter is not the handler: host B refuses them the same file.
    assert reporter.get(host_b.base + case + "evidence/1/", timeout=20).status_code in (403, 404)
    print(f"\nevidence: {len(evidence)} bytes in (host A), {len(download.content)} bytes out (host B)")

    written = {host.local.name: len(files_under(host.local)) for host in hosts}
    print(f"files written under each host's local folders: {written}")
    assert written == {"host-a": 0, "host-b": 0}


def test_it_serves_a_pack_built_by_a_worker_through_a_web_host(shared, hosts, s3_server):
    host_a, host_b = hosts
    _endpoint, bucket, _process = s3_server
    hr = host_a.signed_in(HR)
    index = hr.get(host_a.base + "/acknowledgements/signoff-packs/", timeout=20).text
    version = re.search(r'href="/acknowledgements/signoff-packs/versions/(\d+)/"', index).group(1)
    page = hr.get(host_a.base + f"/acknowledgements/signoff-packs/versions/{version}/", timeout=20).text
    response = hr.post(
        host_a.base + f"/acknowledgements/signoff-packs/versions/{version}/prepare/",
        data={"csrfmiddlewaretoken": csrf_token(page)},
        allow_redirects=False,
        timeout=20,
    )
    assert response.status_code == 302

    worker_environment, worker_local = host_environment(shared, "worker")
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload"],
        cwd=settings.BASE_DIR,
        env=worker_environment,
        check=True,
        capture_output=True,
        timeout=240,
    )
    packs = bucket.list_objects_v2(Bucket=BUCKET, Prefix="exports/").get("Contents", [])
    assert len(packs) == 1
    in_bucket = bucket.get_object(Bucket=BUCKET, Key=packs[0]["Key"])["Body"].read()

    hr_on_b = host_b.signed_in(HR)
    page = hr_on_b.get(host_b.base + f"/acknowledgements/signoff-packs/versions/{version}/", timeout=20).text
    link = re.search(r'href="(/acknowledgements/signoff-packs/\d+/download/)"', page).group(1)
    download = hr_on_b.get(host_b.base + link, timeout=60)
    assert download.status_code == 200 and download.content[:5] == b"%PDF-"
    assert download.content == in_bucket
    assert download.headers["Content-Disposition"].startswith("attachment")
    # Someone without the sign-off packs' permission is refused on host B.
    assert host_b.signed_in(REPORTER).get(host_b.base + link, timeout=20).status_code in (403, 404)
    print(f"\npack: {len(in_bucket)} bytes in (the worker), {len(download.content)} bytes out (host B)")

    written = {folder.name: len(files_under(folder)) for folder in (host_a.local, host_b.local, worker_local)}
    print(f"files written under each process's local folders: {written}")
    assert written == {"host-a": 0, "host-b": 0, "worker": 0}


def test_it_keeps_no_file_on_any_host_and_gives_the_bucket_no_public_address(shared, hosts, s3_server):
    _endpoint, bucket, _process = s3_server
    for item in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        grants = bucket.get_object_acl(Bucket=BUCKET, Key=item["Key"])["Grants"]
        assert all("AllUsers" not in str(grant.get("Grantee")) for grant in grants), item["Key"]
    # Health checks on both hosts see the bucket, and leave nothing in it.
    for host in hosts:
        assert requests.get(host.base + "/healthz", timeout=20).json()["storage"] == "ok"
    assert not bucket.list_objects_v2(Bucket=BUCKET, Prefix="healthz/").get("Contents")
    for host in hosts:
        assert files_under(host.local) == [], host.local
    shutil.rmtree(shared[0] / "setup", ignore_errors=True)


def test_it_shares_the_cache_between_hosts(shared, hosts):
    """What one host caches (an adopted version's rendered text) is what another host serves.

    Host A reads the policy first and fills the cache; a third process then swaps the cached body for a
    marker, straight in the cache (as only a shared cache allows); host B's page shows the marker, so it
    came from the entry another process wrote, not from B's own memory or a recomputation.
    """
    import sqlite3

    root, _environment = shared
    url = "/policies/social-media-policy/"
    reader_on_a = hosts[0].signed_in(REPORTER)
    page_on_a = reader_on_a.get(hosts[0].base + url, timeout=20)
    assert page_on_a.status_code == 200 and "Download PDF" in page_on_a.text
    with sqlite3.connect(root / "shared.sqlite3") as database:
        keys = [key for (key,) in database.execute("SELECT cache_key FROM portal_cache")]
    assert any("policies:fingerprint" in key for key in keys), keys
    (body_key,) = [key for key in keys if "policy_version_body" in key]

    environment, local = host_environment(shared, "cache-writer")
    swap = (
        "from django.core.cache import cache; "
        f"key = {body_key.split(':', 2)[2]!r}; "  # without the cache's own ':1:' version prefix
        "assert cache.get(key) is not None; cache.set(key, '<p>Served from the shared cache.</p>', None)"
    )
    try:
        subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", swap],
            cwd=settings.BASE_DIR,
            env=environment,
            check=True,
            capture_output=True,
            timeout=120,
        )
        page_on_b = hosts[1].signed_in(REPORTER).get(hosts[1].base + url, timeout=20)
        assert page_on_b.status_code == 200
        assert "Served from the shared cache." in page_on_b.text
    finally:
        with sqlite3.connect(root / "shared.sqlite3") as database:
            database.execute("DELETE FROM portal_cache")
    # An adopted version's text never changes under its key, so each process also keeps what it read in
    # its own memory (CACHES["local"]): host A, which filled the shared entry, still serves its own copy of
    # the real text, never the marker, even with the shared table emptied.
    page_again_on_a = hosts[0].signed_in(REPORTER).get(hosts[0].base + url, timeout=20)
    assert "Download PDF" in page_again_on_a.text
    assert "Served from the shared cache." not in page_again_on_a.text
    shutil.rmtree(local, ignore_errors=True)


def test_it_shows_on_one_host_an_acknowledgement_made_on_another(shared, hosts):
    """Host A keeps the compliance overview in its own memory; an acknowledgement made through host B
    raises the compliance generation in the shared database, so host A's next view counts it."""
    import sqlite3

    root, _environment = shared
    with sqlite3.connect(root / "shared.sqlite3") as database:
        (version_pk,) = database.execute(
            "SELECT v.id FROM policies_policyversion v JOIN policies_policy p ON p.id = v.policy_id "
            "WHERE p.slug = 'social-media-policy' AND v.status = 'published'"
        ).fetchone()

    def acknowledged_in_the_trust(session) -> int:
        page = session.get(hosts[0].base + "/acknowledgements/compliance/", timeout=20)
        assert page.status_code == 200
        return int(re.search(r"Whole trust: (\d+) of \d+ acknowledged", page.text).group(1))

    hr_on_a = hosts[0].signed_in(HR)
    before = acknowledged_in_the_trust(hr_on_a)
    assert acknowledged_in_the_trust(hr_on_a) == before  # served from host A's memory now
    reader_on_b = hosts[1].signed_in(REPORTER)
    url = f"{hosts[1].base}/acknowledgements/versions/{version_pk}/"
    form = reader_on_b.get(url, timeout=20).text
    response = reader_on_b.post(
        url,
        data={"csrfmiddlewaretoken": csrf_token(form), "confirm": "on"},
        allow_redirects=False,
        timeout=20,
    )
    assert response.status_code == 302, response.text[:500]
    assert acknowledged_in_the_trust(hr_on_a) == before + 1


def test_it_backs_up_the_bucket_with_the_database(shared, s3_server, tmp_path):
    import tarfile

    _endpoint, bucket, _process = s3_server
    in_bucket = {
        item["Key"]: bucket.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        for item in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    }
    assert {key.split("/")[0] for key in in_bucket} == {"evidence", "exports"}
    environment, local = host_environment(shared, "backup-host")
    subprocess.run(
        [sys.executable, "manage.py", "backup", str(tmp_path)],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
        capture_output=True,
        timeout=120,
    )
    (archive,) = tmp_path.glob("symphony-backup-*.tar.gz")
    with tarfile.open(archive) as backup:
        in_archive = {
            member.name.split("private/", 1)[1]: backup.extractfile(member).read()
            for member in backup.getmembers()
            if member.isfile() and "private/" in member.name
        }
    assert in_archive == in_bucket
    assert files_under(local) == []


def test_it_tells_the_load_balancer_when_the_bucket_is_gone(hosts, s3_server):
    """Last in this module: it stops the S3 server."""
    _endpoint, _bucket, process = s3_server
    stop(process)
    started = time.monotonic()
    response = requests.get(hosts[0].base + "/healthz", timeout=30)
    elapsed = time.monotonic() - started
    body = response.json()
    assert response.status_code == 503, body
    assert body["status"] == "unavailable" and body["storage"] != "ok" and body["database"] == "ok"
    assert elapsed < 8, elapsed  # STORAGE_TIMEOUT_SECONDS (5), not TCP's own retries
