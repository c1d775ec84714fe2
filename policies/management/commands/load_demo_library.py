"""Three short fictional policies next to the seed Social Media Policy, so `make run` shows a library.

Written for the demo (they are not any trust's real policies). Each is loaded once, as its first
publication; Keeping Children Safe in Education Part one is acknowledged again every year from 1 September.
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from policies.models import Clause, Policy, PolicyVersion, Section
from policies.selectors import fingerprint
from symphony_portal.trust.models import Kind, PersonTag, Tag, User

CHILDREN_TAG = {
    "slug": "works-directly-with-children",
    "name": "Works directly with children",
    "description": "Staff whose work brings them into contact with pupils (Keeping Children Safe in "
    "Education).",
}

LIBRARY = [
    {
        "title": "Staff Code of Conduct",
        "slug": "staff-code-of-conduct",
        "label": "2025-2028",
        "applies_to": "Every employee of the trust, in every school and in the central team.",
        "yearly_from": None,
        "audience": {"for_governors": False, "for_trustees": False},  # employees only
        "sections": {
            "Purpose": [
                "This code sets out the standards of behaviour the trust expects of everyone it employs.",
                "It protects pupils, colleagues and the reputation of our schools.",
            ],
            "Standards": [
                "Treat pupils, parents and colleagues with dignity and respect.",
                "Keep professional boundaries with pupils, in school and *outside it*.",
                "Declare any gift or hospitality worth more than a modest amount to your Head Teacher.",
            ],
            "Concerns": [
                "If you are unsure whether something is appropriate, ask your line manager before acting.",
            ],
        },
    },
    {
        "title": "Acceptable Use of IT",
        "slug": "acceptable-use-of-it",
        "label": "2025-2027",
        "applies_to": "Everyone given an account on the trust's systems: staff, governors and trustees.",
        "yearly_from": None,
        "audience": {},  # everyone
        "sections": {
            "Accounts": [
                "Your account is yours alone: never share your password or let someone else use a session.",
                "Lock your screen whenever you leave a device unattended.",
            ],
            "Data": [
                "Store pupils' personal data only on the trust's systems, never on personal devices.",
                "Report a lost device or a suspected breach to the Data Protection Officer *at once*.",
            ],
        },
    },
    {
        "title": "Keeping Children Safe in Education Part one",
        "slug": "keeping-children-safe-in-education-part-one",
        "label": "2026",
        "applies_to": "Every member of staff who works directly with children: read it every September.",
        # A new round each 1 September: the round open now began on the last 1 September.
        "yearly_from": datetime.date(2025, 9, 1),
        # Employees with the tag HR keeps; the demo gives it to the schools' employees.
        "audience": {"for_governors": False, "for_trustees": False, "tag": "works-directly-with-children"},
        "sections": {
            "Everyone's responsibility": [
                "Safeguarding and promoting the welfare of children is everyone's responsibility.",
                "Everyone who comes into contact with children has a role to play.",
            ],
            "What to do": [
                "If you have a concern about a child, act on it immediately: speak to the Designated "
                "Safeguarding Lead the same day.",
                "Never promise a child that you will keep a secret.",
                "Record what you saw or heard, in the child's words, and when.",
            ],
        },
    },
]


class Command(BaseCommand):
    help = "Load three short demo policies (Code of Conduct, Acceptable Use, KCSIE Part one) unless loaded."

    def handle(self, *args, **options):
        loaded = []
        for entry in LIBRARY:
            if Policy.objects.filter(slug=entry["slug"]).exists():
                continue
            with transaction.atomic():
                load(entry)
            loaded.append(entry["title"])
        if loaded:
            self.stdout.write(f"Demo policies loaded: {', '.join(loaded)}.")
        else:
            self.stdout.write("Demo policies already loaded.")


def children_tag() -> Tag:
    """The demo's tag "works directly with children", given to every employee of a school (once)."""
    tag, created = Tag.objects.get_or_create(slug=CHILDREN_TAG["slug"], defaults=CHILDREN_TAG)
    if created:
        employees = User.objects.active().filter(kind=Kind.EMPLOYEE, school__isnull=False)
        PersonTag.objects.bulk_create([PersonTag(person=person, tag=tag) for person in employees])
    return tag


def load(entry: dict) -> PolicyVersion:
    """One policy and its first published version, as a publication would leave them."""
    audience = dict(entry["audience"])
    if audience.pop("tag", None):
        audience["audience_tag"] = children_tag()
    policy = Policy.objects.create(
        title=entry["title"], slug=entry["slug"], yearly_from=entry["yearly_from"], **audience
    )
    version = PolicyVersion.objects.create(
        policy=policy,
        label=entry["label"],
        adopted_season="summer",
        adopted_year=2025,
        review_season="summer",
        review_year=2028,
        applies_to=entry["applies_to"],
        developed_by="The trust's HR team (demo text written for the portal).",
        approved_by_body="Board of Trustees",
        approved_on=datetime.date(2025, 7, 10),
        approval_minute_reference="BT/25/demo",
    )
    for s_pos, (heading, texts) in enumerate(entry["sections"].items(), start=1):
        section = Section.objects.create(version=version, position=s_pos, heading=heading)
        for c_pos, text in enumerate(texts, start=1):
            Clause.objects.create(version=version, section=section, position=c_pos, text=text)
    version.approved_fingerprint = fingerprint(version)
    version.status, version.adopted_title = PolicyVersion.Status.PUBLISHED, policy.title
    version.published_at, version.change = timezone.now(), PolicyVersion.Change.FIRST
    version.save()
    return version
