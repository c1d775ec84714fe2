"""Demo requests in every state, and an employee group with a hand-over offered, between the demo people."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from approvals import services
from approvals.models import EmployeeGroup, Platform, SiteApprovalRequest
from symphony_portal.trust.models import User

IMAGES_WITH_CONSENT = {"shows_pupil_images": True, "consent_confirmed": True}
NO_IMAGES = {"shows_pupil_images": False, "consent_confirmed": False}


def _person(email: str) -> User:
    return User.objects.get(email=email)


class Command(BaseCommand):
    help = "Load demo social media site requests and an employee group, unless already loaded."

    def handle(self, *args, **options):
        if SiteApprovalRequest.objects.exists() or EmployeeGroup.objects.exists():
            self.stdout.write("demo approvals: already loaded, left as they are.")
            return
        if not User.objects.filter(email="sarah.okafor@symphony.example").exists():
            raise CommandError("Load the demo people first: python manage.py load_demo_trust")
        # Demo data emails nobody, whatever the email settings are.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self._load()
        self.stdout.write(
            f"demo approvals: loaded {SiteApprovalRequest.objects.count()} requests and a group."
        )

    @transaction.atomic
    def _load(self):
        tom, amira, josh = (
            _person(f"{n}@symphony.example") for n in ("tom.baker", "amira.khan", "josh.reed")
        )
        sarah, david = _person("sarah.okafor@symphony.example"), _person("david.lin@symphony.example")
        chloe, ben, lucy = (
            _person(f"{n}@symphony.example") for n in ("chloe.price", "ben.carter", "lucy.ward")
        )
        priya = _person("priya.shah@symphony.example")

        # Approved, and on Harmony's register.
        year6 = services.submit_request(
            tom,
            runners=[tom, amira],
            platform=Platform.FACEBOOK,
            name="Harmony Year 6 Class Page",
            purpose="Share class news, trip reminders and photos of pupils' work with families.",
            audience="Parents and carers of Year 6",
            moderation_plan="Tom and Amira check comments every school day; comments are held for approval.",
            **IMAGES_WITH_CONSENT,
        )
        services.decide_request(year6, "approved", by=sarah, note="Approved. Use only photos with consent.")
        services.record_site_link(year6, by=tom, link="https://www.facebook.com/harmony-year6-demo")

        # Approved a year ago: due for re-approval now.
        sports = services.submit_request(
            josh,
            runners=[josh, tom],
            platform=Platform.X,
            name="@HarmonySportsDemo",
            link="https://x.com/HarmonySportsDemo",
            purpose="Fixtures and results of school sports teams.",
            audience="Families and the local community",
            moderation_plan="Replies are limited to accounts we follow; Josh checks mentions daily.",
            **NO_IMAGES,
        )
        services.decide_request(sports, "approved", by=sarah)
        SiteApprovalRequest.objects.filter(pk=sports.pk).update(
            approved_on=timezone.localdate() - datetime.timedelta(days=350),
            review_due_on=timezone.localdate() + datetime.timedelta(days=15),
        )

        # Waiting for Sarah's decision.
        services.submit_request(
            amira,
            runners=[amira, josh],
            platform=Platform.INSTAGRAM,
            name="harmony_art_club_demo",
            purpose="Show the art club's work at the end of each half term.",
            audience="Parents of pupils in the art club",
            moderation_plan="Comments are turned off; Amira and Josh review each post before it goes up.",
            **IMAGES_WITH_CONSENT,
        )

        # Sarah asked for changes to Josh's request.
        choir = services.submit_request(
            josh,
            runners=[josh, amira],
            platform=Platform.YOUTUBE,
            name="Harmony Choir Channel",
            purpose="Recordings of choir concerts.",
            audience="Anyone",
            moderation_plan="Comments on.",
            **IMAGES_WITH_CONSENT,
        )
        services.decide_request(
            choir,
            "changes_requested",
            by=sarah,
            note="Please make the videos unlisted, limit the audience to families and turn comments off.",
        )

        # Declined at Crescendo.
        services.decide_request(
            services.submit_request(
                chloe,
                runners=[chloe, ben],
                platform=Platform.TIKTOK,
                name="crescendo_dance_demo",
                purpose="Dance clips from lessons.",
                audience="Pupils",
                moderation_plan="Chloe checks comments weekly.",
                **IMAGES_WITH_CONSENT,
            ),
            "declined",
            by=david,
            note="Not a platform we use with pupils as the audience.",
        )

        # The central team's request goes to the Executive Head Teacher (Helen Marsh).
        services.submit_request(
            lucy,
            runners=[lucy, priya],
            platform=Platform.LINKEDIN,
            name="Symphony Learning Trust Careers",
            purpose="Advertise vacancies across the trust.",
            audience="People looking for jobs in schools",
            moderation_plan="Lucy and Priya post and answer messages; HR reviews each post.",
            **NO_IMAGES,
        )

        # An employee group, whose creator offers responsibility to a colleague.
        group = services.register_group(
            amira,
            platform=Platform.FACEBOOK,
            name="Harmony Staff Wellbeing",
            link="https://www.facebook.com/groups/harmony-wellbeing-demo",
            purpose="A private group for staff to share wellbeing events and support.",
        )
        services.offer_group(group, by=amira, to=josh)
