"""Approval of work-related social media sites, and the register of sites and employee groups.

The policy: "Employees wanting to create a work-related social media site must discuss this with, and
obtain the relevant approval from, the Head teacher / Head of School", and "Creators of [employee]
groups are responsible for monitoring the content of the site and ensuring that it is appropriate".

A ``SiteApprovalRequest`` goes to the Head of the requester's school (the Executive Head Teacher for
the central trust team, or when the requester is that Head). Once approved it is on the school's
register until it is withdrawn, and comes back to the Head for re-approval by ``review_due_on``.
Every step is a ``SiteEvent`` (who, when, note), and django-simple-history keeps every change of a row.
An ``EmployeeGroup`` has one person responsible for it, who can offer that responsibility to a
colleague (``GroupHandover``); it moves only when the colleague accepts.
"""

import datetime

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from symphony_portal.trust.models import CENTRAL_TEAM, School, User

from . import permissions

# Sites whose review falls within this many days (or has passed) are listed to the Head.
REVIEW_NOTICE_DAYS = 30

# Links are shown to staff and clicked: only web addresses, never javascript: or data: URLs.
web_address = URLValidator(
    schemes=["http", "https"], message="Enter a web address starting https:// or http://."
)


def one_year_after(day: datetime.date) -> datetime.date:
    """The same day a year later (28 February when the day is 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def runners_reach(requester: User) -> str:
    """Where a requester's runners come from, in words: "at Harmony Primary or in the central trust team"."""
    if requester.school_id is None:
        return "in the central trust team"
    return f"at {requester.school.name} or in the central trust team"


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    X = "x", "X (Twitter)"
    INSTAGRAM = "instagram", "Instagram"
    YOUTUBE = "youtube", "YouTube"
    LINKEDIN = "linkedin", "LinkedIn"
    TIKTOK = "tiktok", "TikTok"
    WHATSAPP = "whatsapp", "WhatsApp"
    BLOG = "blog", "Blog or website"
    OTHER = "other", "Other"


def _is_staff(user) -> bool:
    return permissions.can_ask_for_approval(user)


class SiteApprovalRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SiteApprovalRequestQuerySet":
        """Requests this person made or runs, their school's as its Head, or all for the Executive Head/HR."""
        if not _is_staff(user):
            return self.none()
        if permissions.can_see_every_school(user):
            return self.all()
        runs = SiteApprovalRequest.runners.through.objects.filter(user=user).values("siteapprovalrequest")
        return self.filter(Q(requester=user) | Q(pk__in=runs) | Q(school_id__in=user.headed_school_ids))

    def decidable_by(self, user) -> "SiteApprovalRequestQuerySet":
        """Requests this person may decide: their school's as its Head, any as the Executive Head."""
        if not permissions.can_decide_requests(user):
            return self.none()
        mine = self.exclude(requester=user)  # nobody approves their own site
        if permissions.can_decide_every_request(user):
            return mine
        return mine.filter(school_id__in=user.headed_school_ids, for_executive_head=False)

    def waiting_for(self, user) -> "SiteApprovalRequestQuerySet":
        """Requests sent to this person that wait for their decision."""
        waiting = self.decidable_by(user).filter(status=SiteApprovalRequest.Status.SUBMITTED)
        if permissions.can_decide_every_request(user):
            # The Executive Head can decide anything, but is *sent* only the central team's and Heads'.
            return waiting.filter(Q(for_executive_head=True) | Q(school_id__in=user.headed_school_ids))
        return waiting

    def approved(self) -> "SiteApprovalRequestQuerySet":
        """Sites on the register: approved and not withdrawn."""
        return self.filter(status=SiteApprovalRequest.Status.APPROVED)

    def on_register_of(self, user) -> "SiteApprovalRequestQuerySet":
        """Approved sites this person's register shows: their schools as Head, all schools, or their own."""
        if not _is_staff(user):
            return self.none()
        sites = self.approved()
        if permissions.can_see_every_school(user):
            return sites
        if user.headed_school_ids:
            return sites.filter(school_id__in=user.headed_school_ids)
        return sites.filter(school=user.school)

    def due_for_review(self, *, on: datetime.date | None = None) -> "SiteApprovalRequestQuerySet":
        """Approved sites whose re-approval is due within REVIEW_NOTICE_DAYS days, or overdue."""
        today = on or timezone.localdate()
        return self.approved().filter(review_due_on__lte=today + datetime.timedelta(days=REVIEW_NOTICE_DAYS))

    def with_active_runner_count(self) -> "SiteApprovalRequestQuerySet":
        """Annotate how many of the named runners are still with the trust (0: flag the site)."""
        return self.annotate(
            active_runner_count=Count("runners", filter=Q(runners__is_active=True), distinct=True)
        )

    def runners_all_left(self) -> "SiteApprovalRequestQuerySet":
        """Sites whose named runners have all left the trust."""
        return self.with_active_runner_count().filter(active_runner_count=0)


class SiteApprovalRequest(models.Model):
    _history_user: "User | None"  # set before a save: who django-simple-history records

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for a decision"
        CHANGES_REQUESTED = "changes_requested", "Changes asked for"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="site_approval_requests"
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="site_approval_requests",
        help_text="The requester's school when they asked; empty for the central trust team.",
    )
    for_executive_head = models.BooleanField(
        default=False,
        help_text="Sent to the Executive Head Teacher: the central team's requests and a Head's own.",
    )
    platform = models.CharField(max_length=20, choices=Platform.choices)
    name = models.CharField("proposed name or handle", max_length=200)
    link = models.URLField(
        "web address",
        max_length=500,
        blank=True,
        validators=[web_address],
        help_text="Once the site exists (it can be added after approval).",
    )
    # A new address for an approved site waits here for the Head: until they approve it, the register
    # keeps showing `link`, the address they approved.
    proposed_link = models.URLField(
        "new web address waiting for approval", max_length=500, blank=True, validators=[web_address]
    )
    link_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purpose = models.TextField()
    audience = models.CharField(max_length=300, help_text="For example: parents of Year 6.")
    runners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="sites_run",
        help_text="At least two named colleagues, so that the site survives a leaver.",
    )
    shows_pupil_images = models.BooleanField("pupils' images will appear", default=False)
    consent_confirmed = models.BooleanField(
        "the school's consent arrangements for pupils' images are confirmed", default=False
    )
    moderation_plan = models.TextField("how it will be moderated")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    approved_on = models.DateField(null=True, blank=True)
    review_due_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[runners])
    objects = SiteApprovalRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="approvals_images_need_consent",
                condition=Q(shows_pupil_images=False) | Q(consent_confirmed=True),
                violation_error_message="Pupils' images need the school's consent arrangements confirmed.",
            ),
            models.CheckConstraint(
                name="approvals_approved_has_review_date",
                condition=~Q(status="approved") | Q(review_due_on__isnull=False, approved_on__isnull=False),
                violation_error_message="An approved site needs a review date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    def get_absolute_url(self) -> str:
        return reverse("approvals:request_detail", args=[self.pk])

    @property
    def is_waiting(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def has_address_waiting(self) -> bool:
        return self.is_approved and bool(self.proposed_link)

    @property
    def can_be_changed(self) -> bool:
        return self.status == self.Status.CHANGES_REQUESTED

    @property
    def school_name(self) -> str:
        return self.school.name if self.school_id else CENTRAL_TEAM

    def review_is_due(self, *, on: datetime.date | None = None) -> bool:
        today = on or timezone.localdate()
        return bool(
            self.is_approved
            and self.review_due_on
            and self.review_due_on <= today + datetime.timedelta(days=REVIEW_NOTICE_DAYS)
        )

    def review_is_overdue(self, *, on: datetime.date | None = None) -> bool:
        return bool(
            self.is_approved and self.review_due_on and self.review_due_on < (on or timezone.localdate())
        )


class SiteEvent(models.Model):
    """One step in a request's life, with who took it and when: the timeline the requester and Head see."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Asked for approval"
        RESUBMITTED = "resubmitted", "Changed and sent again"
        CHANGES_REQUESTED = "changes_requested", "Asked for changes"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        REAPPROVED = "reapproved", "Re-approved"
        WITHDRAWN = "withdrawn", "Withdrawn from the register"
        LINK_RECORDED = "link_recorded", "Web address recorded"
        LINK_PROPOSED = "link_proposed", "New web address sent for approval"
        LINK_APPROVED = "link_approved", "New web address approved"
        LINK_DECLINED = "link_declined", "New web address declined"

    request = models.ForeignKey(SiteApprovalRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.by} at {self.at:%Y-%m-%d %H:%M}"


class EmployeeGroupQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EmployeeGroupQuerySet":
        """Groups of this person's school (and the schools they head), groups offered to them, or all."""
        if not _is_staff(user):
            return self.none()
        if permissions.can_see_every_school(user):
            return self.all()
        offered = GroupHandover.objects.filter(offered_to=user, status=GroupHandover.Status.OFFERED)
        return self.filter(
            Q(school=user.school)
            | Q(school_id__in=user.headed_school_ids)
            | Q(responsible=user)
            | Q(pk__in=offered.values("group"))
        )


class EmployeeGroup(models.Model):
    _history_user: "User | None"  # set before a save: who django-simple-history records

    platform = models.CharField(max_length=20, choices=Platform.choices)
    name = models.CharField(max_length=200)
    link = models.URLField("web address", max_length=500, validators=[web_address])
    purpose = models.TextField()
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="employee_groups",
        help_text="Monitors the group's content and keeps it appropriate.",
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employee_groups",
        help_text="The responsible person's school; empty for the central trust team.",
    )
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = EmployeeGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    def get_absolute_url(self) -> str:
        return reverse("approvals:group_detail", args=[self.pk])

    @property
    def school_name(self) -> str:
        return self.school.name if self.school_id else CENTRAL_TEAM


class GroupHandover(models.Model):
    """An offer of responsibility for a group to a colleague; responsibility moves only on acceptance."""

    _history_user: "User | None"  # set before a save: who django-simple-history records

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Replaced by another offer"

    group = models.ForeignKey(EmployeeGroup, on_delete=models.CASCADE, related_name="handovers")
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    offered_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="group_handovers_offered"
    )
    offered_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OFFERED)
    answered_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-offered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(status="offered"),
                name="approvals_one_open_handover_per_group",
                violation_error_message="This group already has an open hand-over offer.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} offered to {self.offered_to}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OFFERED
