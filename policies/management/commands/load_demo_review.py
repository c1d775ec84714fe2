from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from policies import services
from policies.models import PolicyVersion
from symphony_portal.trust.models import Role, User

DEMO_LABEL = "2026-2029"
# (section heading, clause position, new text): a few edits of the kind a 2026 review makes.
DEMO_EDITS = [
    (
        "Definition of Social Media",
        2,
        "Maintaining a profile page on social / business networking sites such as Facebook, X (formerly "
        "Twitter), LinkedIn or TikTok;",
    ),
    (
        "Definition of Social Media",
        7,
        "Uploading multi-media on networking sites such as Instagram, TikTok and YouTube;",
    ),
]
DEMO_NEW_CLAUSE = (
    "Social Media Security",
    "Employees should use multi-factor authentication on every social media account that allows it.",
)


class Command(BaseCommand):
    help = f"Demo data: HR's review of the Social Media Policy in progress, a draft {DEMO_LABEL} (once)."

    @transaction.atomic
    def handle(self, *args, **options):
        if PolicyVersion.objects.filter(policy__slug="social-media-policy", label=DEMO_LABEL).exists():
            self.stdout.write("demo_review: already loaded, left as it is.")
            return
        current = PolicyVersion.objects.published().filter(policy__slug="social-media-policy").first()
        hr = User.objects.active().holding(Role.HR).order_by("pk").first()
        if current is None or hr is None:
            raise CommandError("Load the demo trust and the seed policy first (make demo).")
        if PolicyVersion.objects.filter(policy=current.policy, status=PolicyVersion.Status.DRAFT).exists():
            self.stdout.write("demo_review: a draft is already in progress, left as it is.")
            return
        draft = services.start_draft(current, label=DEMO_LABEL, by=hr)
        services.edit_version_details(
            draft,
            label=DEMO_LABEL,
            adopted_season="autumn",
            adopted_year=2026,
            review_season="autumn",
            review_year=2029,
            applies_to=draft.applies_to,
            developed_by=draft.developed_by,
            by=hr,
        )
        for heading, position, text in DEMO_EDITS:
            clause = draft.clauses.get(section__heading=heading, position=position)
            services.edit_clause(
                clause, text=text, style=clause.style, section=clause.section, revision=clause.revision, by=hr
            )
        heading, text = DEMO_NEW_CLAUSE
        section = draft.sections.get(heading=heading)
        services.add_clause(
            section, text=text, style="paragraph", after=section.clauses.order_by("position").last(), by=hr
        )
        self.stdout.write(f"demo_review: draft {DEMO_LABEL} of the Social Media Policy loaded.")
