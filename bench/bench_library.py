"""Issue 17's figures: the pages, the CSV and reminders with a library of 30 live policies and 5,000 people.

The approach of bench_pages.py, reused from it (its helpers, its baselines, the same throwaway SQLite
database in a temporary folder, one gunicorn sync worker with DEBUG off, signed-in session cookies,
interleaved rounds), on a bigger trust: generate_trust's 5,000 people in 12 schools, the seed policy plus
29 live policies addressed to varied audiences (everyone; employees only; chosen schools; employees with a
tag; one acknowledged every year), and about 60% of each policy's audience having acknowledged it.
"""

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bench_pages as pages  # noqa: E402 - sets up Django on a throwaway database first

# isort: split

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from acknowledgements.models import Acknowledgement, statement_for  # noqa: E402
from acknowledgements.selectors import CENTRAL_TEAM, expected, round_start  # noqa: E402
from policies.management.commands.load_demo_library import load  # noqa: E402
from policies.models import PolicyVersion  # noqa: E402
from policies.selectors import fingerprint  # noqa: E402
from symphony_portal.trust.models import Kind, PersonTag, Role, RoleAssignment, School, Tag, User  # noqa: E402

SCHOOLS, PEOPLE, EXTRA_POLICIES = 12, 5000, 29
ACKNOWLEDGED = 0.6


def audience_for(n: int, schools: list[School], tag: Tag) -> tuple[dict, list[School], date | None]:
    """The audience of the n-th extra policy: (Policy fields, chosen schools, yearly_from)."""
    employees_only = {"for_governors": False, "for_trustees": False}
    if n == 0:  # employees who work directly with children (a tag HR keeps)
        return {**employees_only, "audience_tag": tag}, [], None
    if n == 1:  # everyone, acknowledged again every year from 1 September
        return {}, [], date(2025, 9, 1)
    if n % 3 == 0:  # three chosen schools, without the central team
        chosen = [schools[(n + k) % len(schools)] for k in range(3)]
        return {"all_schools": False, "include_central_team": False}, chosen, None
    if n % 3 == 1:
        return employees_only, [], None
    return {}, [], None  # everyone


def build_library() -> list[PolicyVersion]:
    """29 live policies next to the seed, with their audiences, and acknowledgements by ~60% of each."""
    schools = list(School.objects.order_by("pk"))
    tag = Tag.objects.create(slug="works-directly-with-children", name="Works directly with children")
    employees = User.objects.active().filter(kind=Kind.EMPLOYEE, school__isnull=False)
    PersonTag.objects.bulk_create([PersonTag(person=p, tag=tag) for p in employees[::2]])
    versions = []
    for n in range(EXTRA_POLICIES):
        fields, chosen, yearly_from = audience_for(n, schools, tag)
        entry = {
            "title": f"Library Policy {n + 1:02d}",
            "slug": f"library-policy-{n + 1:02d}",
            "label": "2026",
            "applies_to": "As its audience says.",
            "yearly_from": yearly_from,
            "audience": {},
            "sections": {
                f"Part {s}": [f"Clause {s}.{c} of library policy {n + 1}, for its readers." for c in range(6)]
                for s in range(1, 5)
            },
        }
        with transaction.atomic():
            version = load(entry)
            type(version.policy).objects.filter(pk=version.policy_id).update(**fields)
            version.policy.refresh_from_db()
            version.policy.audience_schools.set(chosen)
        versions.append(version)

    rng = random.Random(17)
    names = {s.pk: s.name for s in schools}
    labels = {a.user_id: str(a) for a in RoleAssignment.objects.select_related("school")}
    now = timezone.now()
    records = []
    live = PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED).select_related("policy")
    for version in live:
        text_fingerprint, starts_on = fingerprint(version), round_start(version)
        for person in expected(version):
            if rng.random() >= ACKNOWLEDGED:
                continue
            records.append(
                Acknowledgement(
                    person=person,
                    version=version,
                    round_starts_on=starts_on,
                    acknowledged_at=now - timedelta(seconds=rng.randrange(86400)),
                    kind=person.kind,
                    school_id=person.school_id,
                    school_name=names.get(person.school_id, CENTRAL_TEAM),
                    role_labels=labels.get(person.pk, ""),
                    job_title=person.job_title,
                    statement=statement_for(person.kind),
                    fingerprint=text_fingerprint,
                )
            )
    Acknowledgement.objects.bulk_create(records, batch_size=1000)
    return versions


def main() -> None:
    """BENCH_ONLY="overview,home" times only the pages whose names contain one of those words (and the two
    baselines); BENCH_ONLY=reminders only the reminder run. Unset: everything."""
    only = [w.strip() for w in pages.os.environ.get("BENCH_ONLY", "").split(",") if w.strip()]
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_seed_policy", stdout=open(pages.os.devnull, "w"))  # noqa: SIM115
    call_command("generate_trust", schools=SCHOOLS, people=PEOPLE, seed=1, acknowledged=0.0)
    build_library()
    live = PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED).count()
    print(
        f"Set-up (migrate, seed, generate_trust, {EXTRA_POLICIES} more policies, "
        f"{Acknowledgement.objects.count()} acknowledgements): {time.perf_counter() - t0:.1f} s; "
        f"{live} live policies, {User.objects.count()} people"
    )
    hr = User.objects.holding(Role.HR).get()
    holders = RoleAssignment.objects.values("user_id")
    staff = User.objects.filter(kind=Kind.EMPLOYEE).exclude(pk__in=holders).exclude(school=None).first()
    school = staff.school
    cookies = {"staff": pages.session_cookie(staff), "hr": pages.session_cookie(hr)}

    # A page of this size may take longer than gunicorn's default 30 s: the worker is given 600 s.
    pages.os.environ["GUNICORN_CMD_ARGS"] = "--timeout 600"
    pages.MIN_ROUNDS, pages.SECONDS_IN_ALL = 3, 30.0
    port = pages.free_port()
    server = pages.start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        register_rows = None
        page_list = [
            ("bare view (baseline)", "/bench/bare/", "staff", 5),
            ("3,000-row table (baseline)", "/bench/table/", "hr", 1),
            ("bare view in base.html (for reference)", "/bench/bare-in-layout/", "staff", 5),
            ("policy page", "/policies/social-media-policy/", "staff", 5),
            ("home", "/", "staff", 5),
            ("trust-wide compliance overview", "/acknowledgements/compliance/", "hr", 3),
            ("a school's page", f"/acknowledgements/compliance/schools/{school.slug}/", "hr", 3),
            ("full outstanding list", "/acknowledgements/outstanding/", "hr", 1),
            ("register CSV", "/acknowledgements/register.csv", "hr", 1),
        ]
        if only:
            page_list = [p for p in page_list if "baseline" in p[0] or any(w in p[0] for w in only)]
        if only == ["reminders"]:
            page_list = []
        for name, path, who, _ in page_list:  # one cold request each, so a slow page is named at once
            t1 = time.perf_counter()
            pages.fetch(base + path, cookies[who])
            print(f"first request, {name}: {time.perf_counter() - t1:.2f} s", flush=True)
        measured = pages.measure(base, page_list, cookies) if page_list else {}
        if "register CSV" in measured:
            request = pages.urllib.request.Request(  # noqa: S310 - loopback only
                base + "/acknowledgements/register.csv", headers={"Cookie": cookies["hr"]}
            )
            with pages.urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                register_rows = response.read().count(b"\n") - 1  # less the header
    finally:
        server.terminate()
        server.wait(timeout=30)

    if measured:
        report_pages(measured, register_rows, live)
    if not only or "reminders" in only:
        report_reminders()


def report_pages(measured: dict, register_rows: int | None, live: int) -> None:
    bare, table = measured["bare view (baseline)"][0], measured["3,000-row table (baseline)"][0]
    print(f"\nPages ({PEOPLE} people, {SCHOOLS} schools, {live} live policies; gunicorn, 1 worker, no DEBUG)")
    print(f"{'page':40} {'ms/request':>10} {'req/s':>7} {'n':>4} {'bytes':>9}  ratio, and the aim")
    aims = {
        "bare view in base.html (for reference)": None,
        "policy page": 0.5,
        "home": 0.5,
        "trust-wide compliance overview": 0.25,
        "a school's page": None,  # issue 17 asks only that its queries do not grow
        "full outstanding list": None,
    }
    for name, (seconds, n, size) in measured.items():
        line = f"{name:40} {seconds * 1000:10.1f} {1 / seconds:7.1f} {n:4d} {size:9d}"
        if name in aims:
            ratio, aim = bare / seconds, aims[name]
            line += f"  {ratio:.3f} of the bare view's throughput"
            if aim is not None:
                line += f" (aim >= {aim}) {'meets' if ratio >= aim else 'MISSES'}"
            elif name.startswith("full"):
                line += f"; {seconds / table:.2f}x the 3,000-row table's time (no aim in issue 17)"
        print(line)
    if "register CSV" in measured and register_rows:
        per_3000 = measured["register CSV"][0] * 3000 / register_rows
        ratio = per_3000 / table
        print(
            f"register CSV per 3,000 rows ({register_rows} rows): {per_3000 * 1000:.1f} ms, "
            f"{ratio:.2f}x the 3,000-row table's time (aim <= 1.3x) {'meets' if ratio <= 1.3 else 'MISSES'}"
        )


def report_reminders() -> None:
    queued, run, baseline, count = pages.bench_reminders()
    ratio = run / baseline
    print(
        f"\nReminders for the whole trust ({count} emails to a loopback aiosmtpd server, median of "
        f"{pages.REMINDER_ROUNDS})"
    )
    print(f"the command (plan, render, queue in the outbox, record): {queued:.2f} s")
    print(f"draining the outbox (every email sent):                  {run - queued:.2f} s")
    print(f"the command + draining the outbox:                       {run:.2f} s")
    print(f"Django send_messages of the same emails:                 {baseline:.2f} s")
    verdict = "meets" if ratio <= 1.2 else "MISSES"
    print(f"ratio, command + drain against send_messages: {ratio:.2f}x (aim <= 1.2x) {verdict}")
    runs = [  # (workers, rounds, who sends, whether the aim applies)
        (2, pages.REMINDER_ROUNDS, "two task workers, as `make run` starts them", True),
        (1, 3, "one task worker, for reference", False),
    ]
    for workers, rounds, senders, aimed in runs:
        deployed, baseline, count = pages.bench_reminders_with_worker(workers=workers, rounds=rounds)
        ratio = deployed / baseline
        print(
            f"\nThe same run as deployed ({count} emails; {senders}, each in a process; median of {rounds})"
        )
        print(f"from the command's start until every email is sent:      {deployed:.2f} s")
        print(f"Django send_messages of the same emails:                 {baseline:.2f} s")
        verdict = ("meets" if ratio <= 1.2 else "MISSES") if aimed else "(the aim is for the set-up above)"
        print(f"ratio, the run as deployed against send_messages: {ratio:.2f}x (aim <= 1.2x) {verdict}")


if __name__ == "__main__":
    try:
        main()
    finally:
        import shutil

        shutil.rmtree(pages.TMP, ignore_errors=True)
