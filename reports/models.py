"""Confidential reports of a colleague's social media post, and how the Head Teacher handles them.

A ConcernReport is made by a reporter about a colleague (a person in the directory, or a name typed in),
and routed to one handler (reports/routing.py). It carries the evidence files, a snapshot of the
policy clauses it cites, and a timeline of everything done with it: every status change, note,
reassignment, opening of the case page and evidence download, each with who and when.

Who may read a report is decided in one place, ``ConcernReportQuerySet``: everyone else gets "not found".
The reported colleague is excluded there, whatever role they hold now.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from symphony_portal.lib.records import AppendOnlyModel, AppendOnlyQuerySet
from symphony_portal.trust.models import School

from . import permissions

# How long a handler has to acknowledge receipt (move the case on from "received") before it is flagged.
ACKNOWLEDGE_WITHIN_DAYS = 7


class Platform(models.TextChoices):
    # The policy's own list of social media (section "Definition of Social Media"), then "other".
    FACEBOOK = "facebook", "Facebook"
    TWITTER = "twitter", "Twitter / X"
    LINKEDIN = "linkedin", "LinkedIn"
    INSTAGRAM = "instagram", "Instagram"
    TUMBLR = "tumblr", "Tumblr"
    BLOG = "blog", "A blog"
    FORUM = "forum", "A web forum or message board"
    REVIEW_SITE = "review_site", "A product or service review site"
    POLL = "poll", "An online poll"
    OTHER = "other", "Other"


class StillVisible(models.TextChoices):
    YES = "yes", "Yes, it is still visible"
    NO = "no", "No, it has been removed"
    UNKNOWN = "unknown", "I don't know"


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    UNDER_REVIEW = "under_review", "Under review"
    CLOSED = "closed", "Closed"


STATUS_ORDER = [Status.RECEIVED, Status.UNDER_REVIEW, Status.CLOSED]


class Outcome(models.TextChoices):
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    INFORMAL_ADVICE = "informal_advice", "Informal advice"
    DISCIPLINARY = "disciplinary", "Referred under the Disciplinary Policy"
    DIGNITY_AT_WORK = "dignity_at_work", "Referred under the Dignity at Work Policy"
    POLICE = "police", "Referred to the police"


class HandlerRole(models.TextChoices):
    """Why the handler handles the case: the role that routed it to them (re-checked on every opening)."""

    HEAD_TEACHER = "head_teacher", "Head Teacher / Head of School"
    EXECUTIVE_HEAD = "executive_head", "Executive Head Teacher"
    CHAIR_OF_TRUSTEES = "chair_of_trustees", "Chair of Trustees"
    HR = "hr", "HR"


class ReferenceCounter(models.Model):
    """The last reference number given in a year; its row is locked while the next one is taken."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ConcernReportQuerySet(models.QuerySet):
    def submitted_by(self, user) -> "ConcernReportQuerySet":
        """The reports this person made (for their status pages)."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(reporter=user)

    def handled_by(self, user) -> "ConcernReportQuerySet":
        """Cases this person may open: theirs as handler, or all for the Executive Head Teacher.

        Never a report that may be about them (picked, or a typed name that could mean them), whatever
        role they hold now, nor one they made (they follow that on its status page), nor one they
        stepped aside from. No superuser shortcut.
        """
        if not (user.is_authenticated and user.is_active):
            return self.none()
        mine = Q(handler=user)
        if permissions.can_handle_every_case(user):
            mine = Q(pk__isnull=False)
        return (
            self.filter(mine)
            .exclude(subject=user)
            .exclude(reporter=user)
            .exclude(possible_subjects=user)
            .exclude(stepped_aside=user)
        )

    def visible_to(self, user) -> "ConcernReportQuerySet":
        """Every report this person may see anything of: their own, and the cases they may handle."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.submitted_by(user) | self.handled_by(user)

    def awaiting_acknowledgement(self) -> "ConcernReportQuerySet":
        """Cases still at "received" more than ACKNOWLEDGE_WITHIN_DAYS days after they were made."""
        cutoff = timezone.now() - timedelta(days=ACKNOWLEDGE_WITHIN_DAYS)
        return self.filter(status=Status.RECEIVED, submitted_at__lt=cutoff)


class ConcernReport(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=20, unique=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The colleague reported, when picked from the directory.",
    )
    subject_name = models.CharField(
        max_length=200, blank=True, help_text="The colleague's name as typed in, when not in the directory."
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The school the report was routed by; empty for the central trust team.",
    )
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    handler_role = models.CharField(max_length=20, choices=HandlerRole.choices)
    platform = models.CharField(max_length=20, choices=Platform.choices)
    platform_other = models.CharField(max_length=100, blank=True)
    link = models.URLField(max_length=500, blank=True)
    seen_on = models.DateField()
    still_visible = models.CharField(max_length=10, choices=StillVisible.choices)
    description = models.TextField()
    is_cyberbullying = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    possible_subjects = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text=(
            "Everyone the report may be about: the colleague picked, or everyone in the directory the "
            "typed name could mean. None of them may ever handle or open the case."
        ),
    )
    stepped_aside = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text="Handlers who stepped aside from the case (a conflict of interest): it never goes back.",
    )
    submission_token = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text="The one-time token of the form that made it: a second submission makes nothing.",
    )

    history = HistoricalRecords(m2m_fields=[possible_subjects, stepped_aside])
    objects = ConcernReportQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                name="reports_subject_picked_or_named",
                condition=Q(subject__isnull=False) | ~Q(subject_name=""),
            ),
            # One report per submitted form, even when the same form arrives twice at the same moment.
            models.UniqueConstraint(
                fields=["reporter", "submission_token"], name="reports_one_report_per_submission"
            ),
            models.CheckConstraint(
                name="reports_outcome_only_when_closed",
                condition=(Q(status="closed") & ~Q(outcome="")) | (~Q(status="closed") & Q(outcome="")),
            ),
        ]

    def __str__(self) -> str:
        # Neutral on purpose: this string can surface in admin pages about people (protected objects).
        return "Confidential report"

    def get_absolute_url(self) -> str:
        return reverse("reports:case", args=[self.public_id])

    @property
    def subject_label(self) -> str:
        return self.subject.full_name if self.subject_id else self.subject_name

    @property
    def platform_label(self) -> str:
        if self.platform == Platform.OTHER and self.platform_other:
            return f"Other: {self.platform_other}"
        return self.get_platform_display()

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def needs_acknowledgement(self) -> bool:
        """Still "received" after ACKNOWLEDGE_WITHIN_DAYS days: the handler has not acknowledged it."""
        limit = self.submitted_at + timedelta(days=ACKNOWLEDGE_WITHIN_DAYS)
        return self.status == Status.RECEIVED and timezone.now() > limit

    @property
    def next_statuses(self) -> list[str]:
        """The statuses this case may move on to: forward only; a closed case stays closed."""
        return STATUS_ORDER[STATUS_ORDER.index(self.status) + 1 :]


class ReportedClause(models.Model):
    """A clause the reporter cited, kept exactly as it read (number and text) when the report was made."""

    report = models.ForeignKey(ConcernReport, on_delete=models.CASCADE, related_name="cited_clauses")
    version = models.ForeignKey("policies.PolicyVersion", on_delete=models.PROTECT, related_name="+")
    clause_key = models.UUIDField()
    number = models.CharField(max_length=20)
    text = models.TextField()
    position = models.PositiveIntegerField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "clause_key"], name="reports_clause_cited_once"),
        ]

    def __str__(self) -> str:
        return self.number


class Evidence(models.Model):
    """A file attached to a report, checked and stored under a random name outside any served folder."""

    class Kind(models.TextChoices):
        PNG = "png", "PNG image"
        JPEG = "jpeg", "JPEG image"
        PDF = "pdf", "PDF document"

    report = models.ForeignKey(ConcernReport, on_delete=models.PROTECT, related_name="evidence")
    position = models.PositiveSmallIntegerField()
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "position"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="reports_evidence_position_unique"),
        ]

    def __str__(self) -> str:
        return f"Evidence {self.position}"

    @property
    def extension(self) -> str:
        return {"png": "png", "jpeg": "jpg", "pdf": "pdf"}[self.kind]

    @property
    def content_type(self) -> str:
        return {"png": "image/png", "jpeg": "image/jpeg", "pdf": "application/pdf"}[self.kind]

    @property
    def download_name(self) -> str:
        return f"{self.report.reference}-evidence-{self.position}.{self.extension}"


class ReportEvent(AppendOnlyModel):
    """One line of a case's timeline. Append-only: written by the services, never changed or deleted
    (refused by the ORM and, on PostgreSQL, by a trigger)."""

    append_only_message = "A case's timeline is a permanent record: its events cannot be changed or deleted."

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Report made"
        ROUTED = "routed", "Assigned"
        OPENED = "opened", "Case page opened"
        STATUS_CHANGED = "status_changed", "Status changed"
        NOTE = "note", "Note added"
        REASSIGNED = "reassigned", "Passed on"
        EVIDENCE_DOWNLOADED = "evidence_downloaded", "Evidence downloaded"
        STEPPED_ASIDE = "stepped_aside", "Handler stepped aside"

    # PROTECT: a report with a timeline is never deleted, so its events are never deleted with it.
    report = models.ForeignKey(ConcernReport, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the portal did it (an automatic re-routing).",
    )
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)

    history = HistoricalRecords()
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        ordering = ["report", "at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()
