"""Acknowledgements of a policy version: an HR record of who confirmed what, and when.

An acknowledgement is append-only. It keeps a snapshot of the person at that moment (kind, school,
roles, job title) and the exact wording they confirmed, next to the fingerprint of the version's text,
so the record stays true when the person moves school, the school is renamed or the policy changes.
The guard sits on the model and its QuerySet (symphony_portal.lib.records), the path every writer
(admin, forms, services, shell) goes through, and on PostgreSQL in a trigger that refuses UPDATE, DELETE
and TRUNCATE; deleting a person or a version that has acknowledgements is refused by PROTECT.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone

from policies.models import PolicyExport, PolicyVersion
from symphony_portal.lib.records import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet  # noqa: F401 (re-exported)
from symphony_portal.lib.storage import private_storage
from symphony_portal.trust.models import Kind, School

APPEND_ONLY_MESSAGE = "An acknowledgement is a permanent record: it cannot be changed or deleted."

# The wording each kind of person confirms. Employees are bound by the policy; governors and trustees
# "comply with the spirit of this policy" (section 1 of the Social Media Policy).
STATEMENTS = {
    Kind.EMPLOYEE: "I have read, understood and will comply with this policy.",
    Kind.GOVERNOR: "I have read this policy and, as a governor, I will comply with its spirit.",
    Kind.TRUSTEE: "I have read this policy and, as a trustee, I will comply with its spirit.",
}


def statement_for(kind: str) -> str:
    """The wording a person of this kind confirms."""
    return STATEMENTS[Kind(kind)]


class AcknowledgementQuerySet(AppendOnlyQuerySet):
    def visible_to(self, user) -> "AcknowledgementQuerySet":
        """One's own records; a Head's school's (as recorded); all of them for the Executive Head and HR."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.sees_whole_trust:
            return self.all()
        return self.filter(models.Q(person=user) | models.Q(school_id__in=user.headed_school_ids))


class Acknowledgement(AppendOnlyModel):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements")
    acknowledged_at = models.DateTimeField(default=timezone.now)
    # The person as they were at that moment.
    kind = models.CharField(max_length=20, choices=Kind.choices)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="acknowledgements"
    )
    school_name = models.CharField(max_length=200, help_text="The school's name then, or the central team.")
    role_labels = models.CharField(max_length=500, blank=True, help_text="The roles held then.")
    job_title = models.CharField(max_length=200, blank=True)
    statement = models.TextField(help_text="The exact wording the person confirmed.")
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the exact text acknowledged.")
    # For a policy acknowledged every year: the round this record belongs to (policies.Policy.round_start).
    round_starts_on = models.DateField(
        null=True, blank=True, help_text="For a policy acknowledged every year: the first day of the round."
    )

    objects = AcknowledgementQuerySet.as_manager()
    append_only_message = APPEND_ONLY_MESSAGE

    class Meta:
        base_manager_name = "objects"  # Model._base_manager is guarded too
        ordering = ["-acknowledged_at"]
        constraints = [
            # One record per person and version; for a policy acknowledged every year, one per round.
            models.UniqueConstraint(
                fields=["person", "version"],
                condition=Q(round_starts_on__isnull=True),
                name="acknowledgements_one_per_person_version",
            ),
            models.UniqueConstraint(
                fields=["person", "version", "round_starts_on"],
                condition=Q(round_starts_on__isnull=False),
                name="acknowledgements_one_per_person_version_round",
            ),
        ]
        # The compliance pages ask "has this person a record of this version?" once per person and
        # version: the unique constraints above are partial, so without this index SQLite searched all of
        # a version's records for each person (the overview took minutes at 30 policies and 5,000 people).
        indexes = [models.Index(fields=["person", "version"], name="acknowledgement_person_version")]

    def __str__(self) -> str:
        return f"{self.person} acknowledged {self.version} on {self.acknowledged_at:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("acknowledgements:receipt", args=[self.pk])


class Reminder(AppendOnlyModel):
    """A reminder queued to an outstanding person, or a note to their Head (sent_at: when it was queued).

    Written in the transaction that puts the email in the outbox, which delivers it.
    """

    class About(models.TextChoices):
        OWN = "own", "Their own acknowledgement"
        SCHOOL = "school", "People outstanding at their school"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    about = models.CharField(max_length=10, choices=About.choices, default=About.OWN)
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a note to a Head: the school it was about (empty for the central team).",
    )
    outstanding_count = models.PositiveIntegerField(default=0, help_text="For a note to a Head.")
    sent_at = models.DateTimeField(default=timezone.now)
    # One reminder per recipient, version, kind and day: a second run (a second click, two people pressing
    # "Send reminders now" at once, cron on two hosts) records nothing new (empty on older rows).
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True, editable=False)

    objects = AppendOnlyQuerySet.as_manager()
    append_only_message = "A reminder sent is a permanent record: it cannot be changed or deleted."

    class Meta:
        base_manager_name = "objects"
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["recipient", "version", "about"], name="ack_reminder_lookup")]

    def __str__(self) -> str:
        return f"Reminder to {self.recipient} about {self.version} ({self.sent_at:%d/%m/%Y})"


class PackJobQuerySet(models.QuerySet):
    def unfinished(self) -> "PackJobQuerySet":
        """Jobs waiting for a worker or being made, as the database says (stalled ones included)."""
        return self.filter(state__in=PackJob.UNFINISHED)

    def stalled(self, now: datetime | None = None) -> "PackJobQuerySet":
        """Unfinished jobs that have failed without saying so: past their deadline, or their worker silent."""
        now = now or timezone.now()
        silent = Q(state=PackJob.State.RUNNING, heartbeat_at__lt=now - PackJob.stale_after())
        return self.unfinished().filter(Q(deadline_at__lt=now) | silent)

    def downloadable(self) -> "PackJobQuerySet":
        """Finished packs whose file is still kept (each version keeps its last KEEP_PER_VERSION)."""
        return self.filter(state=PackJob.State.DONE).exclude(file="")


class PackJob(models.Model):
    """A sign-off pack being made off the request path: a task (acknowledgements.tasks) run by a worker.

    At most one job per version waits or runs at a time (a database constraint). A job that waits longer
    than its deadline, or runs past it, or whose worker stops beating (killed, restarted, lost) counts as
    failed: pages show it failed at once, and the next "Prepare" (or the worker, if it comes back) records it.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    UNFINISHED = (State.PENDING, State.RUNNING)
    # The time limits are settings (settings.py, "PDF exports"): a running build records a heartbeat every
    # SIGNOFF_PACK_HEARTBEAT_SECONDS (while the PDF is laid out, too); one not heard from for
    # SIGNOFF_PACK_STALE_AFTER_SECONDS has died (a killed or restarted worker); and reading the register,
    # signing and storing get SIGNOFF_PACK_GRACE_SECONDS on top of the PDF's own limit.

    # Packs kept per version: the files of older ones are deleted (their export records stay).
    KEEP_PER_VERSION = 3

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="pack_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when asked for from the command line (cron).",
    )
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When the worker building it last said it was alive."
    )
    deadline_at = models.DateTimeField(
        help_text="A waiting job must start by then, a running one finish; otherwise it has failed."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.CharField(max_length=100, blank=True, help_text="What the build is doing now.")
    message = models.TextField(blank=True, help_text="What went wrong, or what the pack contains.")
    register_rows = models.PositiveIntegerField(default=0)
    file = models.FileField(
        storage=private_storage,
        max_length=300,
        blank=True,
        help_text="In the private storage; emptied when newer packs replace it.",
    )
    export = models.OneToOneField(
        PolicyExport, on_delete=models.PROTECT, null=True, blank=True, related_name="job"
    )
    task_id = models.CharField(max_length=64, blank=True, help_text="The task that builds it (django-tasks).")

    objects = PackJobQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One build per version at a time: a second click, or two at once, cannot start another.
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(state__in=["pending", "running"]),
                name="one_signoff_pack_build_per_version",
            ),
        ]

    def __str__(self) -> str:
        return f"Sign-off pack of {self.version_id} ({self.get_state_display()})"

    @staticmethod
    def stale_after() -> timedelta:
        """A running build not heard from for this long has died."""
        return timedelta(seconds=settings.SIGNOFF_PACK_STALE_AFTER_SECONDS)

    @staticmethod
    def grace() -> timedelta:
        """Time a build gets beyond the PDF's own limit (the register, signing, storing)."""
        return timedelta(seconds=settings.SIGNOFF_PACK_GRACE_SECONDS)

    def stall_reason(self, now: datetime | None = None) -> str:
        """Why an unfinished job counts as failed, for HR; empty while it is still believed."""
        now = now or timezone.now()
        if self.state not in self.UNFINISHED:
            return ""
        limit = round(settings.SIGNOFF_PACK_TIMEOUT_SECONDS / 60) or 1
        if self.state == self.State.PENDING and self.deadline_at < now:
            return (
                f"No worker started this build within {limit} minute{pluralize(limit)}: "
                "the portal's task workers "
                "(manage.py db_worker) may not be running. Prepare the pack again, and tell the portal's "
                "administrator if it happens again."
            )
        if self.deadline_at < now:
            return (
                f"The build took longer than its time limit (about {limit} minute{pluralize(limit)}) "
                "and was abandoned. "
                "Prepare the pack again; if it fails again, ask the portal's administrator to look at the "
                "server log."
            )
        silent_since = now - self.stale_after()
        if self.state == self.State.RUNNING and self.heartbeat_at and self.heartbeat_at < silent_since:
            when = timezone.localtime(self.heartbeat_at)
            return (
                f"The build stopped without finishing: its worker gave no sign of life after {when:%H:%M:%S} "
                "(it may have been stopped or restarted). Prepare the pack again."
            )
        return ""

    @property
    def is_stalled(self) -> bool:
        return bool(self.stall_reason())

    @property
    def shown_state(self) -> str:
        """The state pages show: an unfinished job that has stalled is shown as failed."""
        return self.State.FAILED if self.is_stalled else self.state

    @property
    def shown_state_label(self) -> str:
        return self.State(self.shown_state).label

    @property
    def shown_message(self) -> str:
        return self.stall_reason() or self.message


class ComplianceGeneration(models.Model):
    """The one row whose ``value`` database triggers raise with every committed change that can alter what
    the compliance pages show (acknowledgements.compliance_cache lists the tables; migration 0009 makes
    the triggers). ``epoch`` is chosen when the row is made, so a row made again (a test's flush) never
    repeats an earlier (epoch, value). Nothing in the portal writes it but those triggers.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    epoch = models.CharField(max_length=40)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="ack_compliance_generation_one_row")]

    def __str__(self) -> str:
        return f"compliance generation {self.epoch}:{self.value}"
