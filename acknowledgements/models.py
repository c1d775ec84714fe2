"""Acknowledgements of a policy version: an HR record of who confirmed what, and when.

An acknowledgement is append-only. It keeps a snapshot of the person at that moment (kind, school,
roles, job title) and the exact wording they confirmed, next to the fingerprint of the version's text,
so the record stays true when the person moves school, the school is renamed or the policy changes.
The guard sits on the model and its QuerySet (symphony_portal.lib.records), the path every writer
(admin, forms, services, shell) goes through, and on PostgreSQL in a trigger that refuses UPDATE, DELETE
and TRUNCATE; deleting a person or a version that has acknowledgements is refused by PROTECT.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from policies.models import PolicyVersion
from symphony_portal.lib.records import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet  # noqa: F401 (re-exported)
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

    def of_published_versions(self) -> "AcknowledgementQuerySet":
        """Acknowledgements that count today: those of the live version of each policy."""
        return self.filter(version__status=PolicyVersion.Status.PUBLISHED)


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

    objects = AcknowledgementQuerySet.as_manager()
    append_only_message = APPEND_ONLY_MESSAGE

    class Meta:
        base_manager_name = "objects"  # Model._base_manager is guarded too
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "version"], name="acknowledgements_one_per_person_version"
            ),
        ]

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

    objects = AppendOnlyQuerySet.as_manager()
    append_only_message = "A reminder sent is a permanent record: it cannot be changed or deleted."

    class Meta:
        base_manager_name = "objects"
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["recipient", "version", "about"], name="ack_reminder_lookup")]

    def __str__(self) -> str:
        return f"Reminder to {self.recipient} about {self.version} ({self.sent_at:%d/%m/%Y})"
