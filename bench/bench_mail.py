"""Mail through the outbox: web requests with a slow relay, and the fault matrix.

One throwaway SQLite database (generate_trust: 12 schools, 3,000 people), production's delivery set-up
(the delivery task stored in the database for a worker; SMTP to an aiosmtpd server on loopback that takes
12 ms per message). Requests go through Django's test client in this process (no gunicorn): a report, a
publication to everyone, confirming an import of 3,000 new people and a password reset, each timed
once, with the number of SMTP connections the request opened (none, by design).

The fault matrix: 300 messages queued, then delivered as the worker's follow-up tasks would (the clock
moved past each back-off) against a server in each fault mode: the figures are how many of the
deliverable people got it once, twice, never; how many failed; the runs and connections it took.
"""

import os
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TMP = tempfile.mkdtemp(prefix="symphony-bench-mail-")
os.environ["SYMPHONY_VAR_DIR"] = TMP
os.environ.pop("DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ["DJANGO_ENV"] = "development"
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.mail import EmailMessage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.second_factor import mark_second_factor_passed  # noqa: E402
from policies import services as policy_services  # noqa: E402
from policies.models import PolicyVersion  # noqa: E402
from symphony_portal.mail import outbox  # noqa: E402
from symphony_portal.mail.models import OutgoingEmail  # noqa: E402
from symphony_portal.trust import services as trust_services  # noqa: E402
from symphony_portal.trust.models import Kind, PeopleImportJob, Role, User  # noqa: E402
from tests.conftest import SMTPServer  # noqa: E402
from tests.reports.test_reporting import form_data as report_form  # noqa: E402

RELAY_SECONDS = 0.012
FAULT_MESSAGES = 300


def point_at(server: SMTPServer) -> None:
    settings.PORTAL_SENDING_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", server.port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10


def timed(label: str, server: SMTPServer, call) -> None:
    before_rows, before_connections = OutgoingEmail.objects.count(), server.connections
    t0 = time.perf_counter()
    response = call()
    seconds = time.perf_counter() - t0
    if response.status_code != 302 or response["Location"].startswith("/accounts/login/"):
        # every action here redirects when it succeeds (and not to the sign-in page)
        raise SystemExit(f"{label} answered {response.status_code}")
    rows = OutgoingEmail.objects.count() - before_rows
    opened = server.connections - before_connections
    verdict = "meets" if seconds < 1 else "MISSES"
    print(
        f"{label:44} {seconds * 1000:8.0f} ms  {rows:5d} emails queued in the request  "
        f"{opened} SMTP connections  (aim < 1 s) {verdict}"
    )


def web_requests() -> None:
    relay = SMTPServer(delay=RELAY_SECONDS)
    relay.start()
    point_at(relay)
    settings.PORTAL_MAIL_TASK_BACKEND = "default"  # a worker would send them; none runs here
    try:
        hr = User.objects.holding(Role.HR).first()
        holders = User.objects.holding(Role.HEAD_TEACHER) | User.objects.holding(Role.EXECUTIVE_HEAD)
        staff = (
            User.objects.filter(kind=Kind.EMPLOYEE)
            .exclude(school=None)
            .exclude(pk__in=holders.values("pk"))
            .first()
        )
        colleague = User.objects.filter(school=staff.school, kind=Kind.EMPLOYEE).exclude(pk=staff.pk).first()
        staff.set_password("bench-password-1")  # a reset is only sent to someone with a usable password
        staff.save(update_fields=["password"])
        staff_client, hr_client, anonymous = Client(), Client(), Client()
        staff_client.force_login(staff)
        hr_client.force_login(hr)
        mark_second_factor_passed(hr_client, hr)  # HR would otherwise be held at its set-up
        staff_client.get("/reports/new/")  # warm up: templates compiled, URLs loaded
        hr_client.get("/")
        print(f"\nWeb requests with a relay taking {RELAY_SECONDS * 1000:.0f} ms per message (one each)")

        report = report_form(colleague=colleague.pk)
        timed("a report", relay, lambda: staff_client.post("/reports/new/", report))

        current = PolicyVersion.objects.published().first()
        draft = policy_services.start_draft(current, label="2026-2029", by=hr)
        policy_services.record_approval(
            draft, approved_by_body="Board", approved_on=date(2026, 7, 14), minute_reference="B/1", by=hr
        )
        timed(
            f"publishing to everyone ({User.objects.active().count()} people)",
            relay,
            lambda: hr_client.post(
                f"/policies/{draft.policy.slug}/drafts/{draft.pk}/publish/",
                {"change": "material", "reason": "The bench's new version"},
            ),
        )
        draft.refresh_from_db()
        if not draft.is_published:  # a refusal redirects too: make sure the publication happened
            raise SystemExit("publishing was refused")

        rows = [f"new{n}@bench.example,New Person {n},employee,,,Teacher" for n in range(3000)]
        text = "\n".join(["email,name,kind,school,role,job title", *rows]) + "\n"
        record = trust_services.upload_people_import(text, filename="people.csv", by=hr)
        timed(
            "confirming an import of 3,000 new people",
            relay,
            lambda: hr_client.post(f"/people/import/{record.pk}/confirm/"),
        )
        if not PeopleImportJob.objects.filter(people_import=record).exists():
            raise SystemExit("confirming the import recorded no job")

        timed(
            "a password reset",
            relay,
            lambda: anonymous.post("/accounts/password_reset/", {"email": staff.email}),
        )
    finally:
        relay.stop()


def drain() -> tuple[int, float]:
    now, runs, t0 = timezone.now(), 0, time.perf_counter()
    while OutgoingEmail.objects.filter(status__in=["queued", "retrying"]).exists() and runs < 30:
        outbox.deliver_due(now=now)
        runs += 1
        now += timedelta(hours=7)  # past the longest back-off, as the follow-up task would be
    return runs, time.perf_counter() - t0


def fault_matrix() -> None:
    settings.PORTAL_MAIL_TASK_BACKEND = "default"
    addresses = [f"person{i:03d}@bench.example" for i in range(FAULT_MESSAGES)]
    refused = addresses[17]
    modes = [
        ("down, then up", {}, "down"),
        ("one recipient refused (550)", {"refuse": {refused}}, None),
        ("421 after 50 messages per connection", {"busy_after": 50}, None),
        ("connection dropped after 50 messages", {"drop_after": 50}, None),
        (f"slow relay ({RELAY_SECONDS * 1000:.0f} ms per message)", {"delay": RELAY_SECONDS}, None),
    ]
    print(
        f"\nFault matrix ({FAULT_MESSAGES} messages, one per person; runs as the worker's follow-ups would)"
    )
    header = ("once", "twice", "never", "failed", "runs", "conns", "drops", "time")
    print(f"{'fault':40} " + " ".join(f"{h:>6}" for h in header) + "  2nd run")
    for label, options, special in modes:
        OutgoingEmail.objects.all().delete()
        outbox.queue_all((EmailMessage(subject="Hello", body="Hi", to=[a]), "bench", None) for a in addresses)
        server = SMTPServer(**options)
        if special == "down":
            point_at(server)  # nothing listens on its port yet
            outbox.deliver_due()
        server.start()
        point_at(server)
        try:
            runs, seconds = drain()
            before = len(server.messages)
            outbox.deliver_due(now=timezone.now() + timedelta(days=3))
            second = len(server.messages) - before
        finally:
            server.stop()
        received = Counter(server.recipients)
        deliverable = [a for a in addresses if a != refused or "refuse" not in options]
        once = sum(1 for a in deliverable if received[a] == 1)
        twice = sum(1 for a in deliverable if received[a] == 2)
        never = sum(1 for a in deliverable if received[a] == 0)
        failed = OutgoingEmail.objects.filter(status="failed").count()
        print(
            f"{label:40} {once:6d} {twice:6d} {never:6d} {failed:6d} {runs:6d} {server.connections:6d} "
            f"{server.drops:6d} {seconds:5.2f} s  {second} sent"
        )


def main() -> None:
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_seed_policy", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("generate_trust", schools=12, people=3000, seed=1)
    print(f"Set-up (migrate, seed policy, generate_trust): {time.perf_counter() - t0:.1f} s")
    web_requests()
    fault_matrix()


if __name__ == "__main__":
    try:
        main()
    finally:
        import shutil

        shutil.rmtree(TMP, ignore_errors=True)
