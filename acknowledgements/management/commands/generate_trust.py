"""A realistic, made-up trust for benchmarks: schools, people of every kind, Heads, acknowledgements.

    python manage.py generate_trust --schools 12 --people 3000 [--seed 1] [--acknowledged 0.7]
                                    [--password PASSWORD]

Deterministic for a given --seed. --people counts everyone: about 4% central trust team (including one
Executive Head Teacher and one HR person), up to 8 trustees, about 9% governors spread over the schools,
the rest employees of the schools, one of whom heads each school; about 2% have left (inactive). A share
(--acknowledged) of the people have acknowledged each published version (load the seed policy first).
Everyone generated has the email domain generated.symphony.test; --password gives them all that password
(otherwise nobody can sign in). Refuses to run twice on the same database.
"""

import random
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from acknowledgements.models import Acknowledgement, statement_for
from acknowledgements.selectors import CENTRAL_TEAM, published_versions
from policies.selectors import fingerprint
from symphony_portal.trust.models import Kind, Role, RoleAssignment, School, User

DOMAIN = "generated.symphony.test"
SCHOOL_WORDS = [
    "Allegro", "Ballad", "Cadence", "Descant", "Encore", "Fanfare", "Gavotte", "Harmonic", "Interlude",
    "Jubilate", "Krummhorn", "Lyric", "Minuet", "Nocturne", "Overture", "Prelude", "Quartet", "Rondo",
    "Sonata", "Toccata", "Unison", "Vivace", "Waltz", "Zither",
]  # fmt: skip
FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Hassan", "Isla", "Jack", "Kiran", "Leah",
    "Mohammed", "Niamh", "Oliver", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vikram", "Wren",
    "Yusuf", "Zara",
]  # fmt: skip
LAST_NAMES = [
    "Ahmed", "Brown", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones", "Khan",
    "Lewis", "Murphy", "Nowak", "Okafor", "Patel", "Quinn", "Roberts", "Singh", "Taylor", "Usman",
    "Walker", "Young",
]  # fmt: skip
JOB_TITLES = [
    "Class Teacher", "Teaching Assistant", "Year 6 Teacher", "SENCO", "Office Manager", "Site Manager",
    "Midday Supervisor", "Learning Mentor", "Business Manager", "Cook",
]  # fmt: skip


class Command(BaseCommand):
    help = "Generate a made-up trust of N schools and M people for benchmarks (see the module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=12, help="Schools to create (default 12).")
        parser.add_argument("--people", type=int, default=3000, help="People in all (default 3000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: same seed, same trust.")
        parser.add_argument(
            "--acknowledged", type=float, default=0.7, help="Share who acknowledged (0 to 1, default 0.7)."
        )
        parser.add_argument("--password", default=None, help="A password for everyone generated.")

    def handle(self, *args, schools, people, seed, acknowledged, password, **options):
        if schools < 1 or people < 3 + 2 * schools:
            raise CommandError("Give at least one school, and at least 3 + 2 x schools people.")
        if not 0 <= acknowledged <= 1:
            raise CommandError("--acknowledged is a share between 0 and 1.")
        if User.objects.filter(email__endswith="@" + DOMAIN).exists():
            raise CommandError(f"A generated trust is already in this database (people @{DOMAIN}).")
        rng = random.Random(seed)
        with transaction.atomic():
            made_schools = self.make_schools(schools, seed)
            persons = self.make_people(rng, made_schools, people, password)
            heads = self.make_roles(made_schools, persons)
            count = self.make_acknowledgements(rng, persons, heads, acknowledged)
        self.stdout.write(
            f"Generated {len(made_schools)} schools, {len(persons)} people and {count} acknowledgements "
            f"(seed {seed})."
        )

    def make_schools(self, count: int, seed: int) -> list[School]:
        made = []
        for n in range(1, count + 1):
            word = SCHOOL_WORDS[(n - 1) % len(SCHOOL_WORDS)]
            kind = "Primary School" if n % 3 else "Academy"
            name = f"{word} {kind}" + (f" {n}" if n > len(SCHOOL_WORDS) else "")
            made.append(School(name=f"{name} (generated {seed}-{n:02d})", slug=f"generated-{seed}-{n:02d}"))
        return School.objects.bulk_create(made)

    def make_people(self, rng, schools, count, password) -> list[User]:
        hashed = make_password(password)  # hashed once: hashing 3,000 times would take minutes
        central = max(2, count * 4 // 100)
        trustees = max(1, min(8, count // 50))
        governors = max(len(schools), count * 9 // 100)
        plan = [(Kind.EMPLOYEE, None)] * central + [(Kind.TRUSTEE, None)] * trustees
        plan += [(Kind.GOVERNOR, schools[i % len(schools)]) for i in range(governors)]
        rest = count - len(plan)
        plan += [(Kind.EMPLOYEE, schools[i % len(schools)]) for i in range(rest)]
        persons = []
        for n, (kind, school) in enumerate(plan[:count], start=1):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            persons.append(
                User(
                    email=f"person{n:05d}@{DOMAIN}",
                    full_name=name,
                    kind=kind,
                    school=school,
                    job_title=rng.choice(JOB_TITLES) if kind == Kind.EMPLOYEE else "",
                    password=hashed,
                    # About 2% have left; never the first people of a school, who become its Heads.
                    is_active=n <= central + trustees + governors + len(schools) or rng.random() > 0.02,
                )
            )
        return User.objects.bulk_create(persons, batch_size=1000)

    def make_roles(self, schools, persons) -> dict[int, str]:
        """Each school's first employee heads it; the first two central employees are the Executive Head
        and HR. Returns each role holder's role labels, for the acknowledgement snapshot."""
        central = [p for p in persons if p.school_id is None and p.kind == Kind.EMPLOYEE]
        assignments = [
            RoleAssignment(user=central[0], role=Role.EXECUTIVE_HEAD),
            RoleAssignment(user=central[1], role=Role.HR),
        ]
        central[0].job_title, central[1].job_title = "Executive Head Teacher", "HR Manager"
        for school in schools:
            head = next(p for p in persons if p.school_id == school.pk and p.kind == Kind.EMPLOYEE)
            head.job_title = "Head Teacher"
            assignments.append(RoleAssignment(user=head, role=Role.HEAD_TEACHER, school=school))
        RoleAssignment.objects.bulk_create(assignments)
        User.objects.bulk_update([a.user for a in assignments], ["job_title"])
        return {a.user_id: str(a) for a in assignments}

    def make_acknowledgements(self, rng, persons, role_labels, share) -> int:
        names = {s.pk: s.name for s in School.objects.all()}
        now = timezone.now()
        records = []
        for version in published_versions():
            text_fingerprint = fingerprint(version)
            since = max(version.published_at or now - timedelta(days=60), now - timedelta(days=365))
            span = max(1, int((now - since).total_seconds()))
            for person in persons:
                if rng.random() >= share:
                    continue
                records.append(
                    Acknowledgement(
                        person=person,
                        version=version,
                        acknowledged_at=since + timedelta(seconds=rng.randrange(span)),
                        kind=person.kind,
                        school_id=person.school_id,
                        school_name=names.get(person.school_id, CENTRAL_TEAM),
                        role_labels=role_labels.get(person.pk, ""),
                        job_title=person.job_title,
                        statement=statement_for(person.kind),
                        fingerprint=text_fingerprint,
                    )
                )
        Acknowledgement.objects.bulk_create(records, batch_size=1000)
        return len(records)
