import io
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from reports import services
from reports.evidence import CheckedFile
from reports.models import ConcernReport, Outcome, Platform, Status, StillVisible
from symphony_portal.trust.models import User

DEMO_REPORTER = "tom.baker@symphony.example"


def screenshot() -> CheckedFile:
    """A small made-up screenshot, so the demo has a piece of evidence to download."""
    image = Image.new("RGB", (320, 120), (245, 245, 245))
    ImageDraw.Draw(image).text((12, 50), "Demo screenshot (fictional post)", fill=(30, 30, 30))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return CheckedFile("screenshot.png", "png", out.getvalue())


class Command(BaseCommand):
    help = "Add a few fictional reports in different states between the demo people, unless already there."

    def handle(self, *args, **options):
        people = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@symphony.example")}
        if "tom.baker" not in people:
            self.stdout.write("demo reports: load the demo people first (load_demo_trust).")
            return
        if ConcernReport.objects.filter(reporter=people["tom.baker"]).exists():
            self.stdout.write("demo reports: already loaded, left as they are.")
            return
        with transaction.atomic():
            self._load(people)
        self.stdout.write("demo reports: loaded.")

    def _report(self, reporter, subject, description, **fields):
        details = services.ReportDetails(
            subject=subject,
            subject_name=fields.pop("subject_name", ""),
            platform=fields.pop("platform", Platform.FACEBOOK),
            platform_other="",
            link=fields.pop("link", ""),
            seen_on=timezone.localdate() - timedelta(days=fields.pop("days_ago", 3)),
            still_visible=fields.pop("still_visible", StillVisible.YES),
            description=description,
            is_cyberbullying=fields.pop("is_cyberbullying", False),
        )
        return services.submit(details, by=reporter, notify=False, **fields)

    def _load(self, p):
        # Received, with a screenshot: Tom reports Josh; Sarah (Harmony's Head) handles it.
        self._report(
            p["tom.baker"],
            p["josh.reed"],
            "A public post complaining about a parent by name, with a photo of the school gate.",
            files=[screenshot()],
            link="https://facebook.example/posts/demo-1",
        )
        # Under review: Amira reports Josh too.
        second = self._report(
            p["amira.khan"],
            p["josh.reed"],
            "A comment under the school's page replying rudely to a parent's question.",
            days_ago=10,
        )
        services.change_status(
            second,
            to=Status.UNDER_REVIEW,
            note="Receipt acknowledged; I will speak to Josh.",
            by=p["sarah.okafor"],
        )
        # Closed with an outcome, at Crescendo.
        third = self._report(
            p["chloe.price"],
            p["ben.carter"],
            "Repeated mocking posts about a colleague on a forum.",
            platform=Platform.FORUM,
            is_cyberbullying=True,
            days_ago=30,
        )
        services.change_status(third, to=Status.UNDER_REVIEW, note="Looking into it.", by=p["david.lin"])
        services.change_status(
            third,
            to=Status.CLOSED,
            outcome=Outcome.DIGNITY_AT_WORK,
            note="Referred under the Dignity at Work Policy.",
            by=p["david.lin"],
        )
        # About a Head: the Executive Head's case, received more than 7 days ago and not acknowledged.
        late = self._report(
            p["tom.baker"],
            p["sarah.okafor"],
            "A LinkedIn post sharing an internal staffing plan.",
            platform=Platform.LINKEDIN,
            days_ago=12,
        )
        ConcernReport.objects.filter(pk=late.pk).update(submitted_at=timezone.now() - timedelta(days=10))
        # About the Executive Head: the Chair of Trustees' case.
        self._report(
            p["lucy.ward"],
            p["helen.marsh"],
            "A tweet criticising a named supplier of the trust.",
            platform=Platform.TWITTER,
        )
