"""The trust's policies, stored as versioned clauses.

Policy -> PolicyVersion -> Section -> Clause. Sections and clauses are ordered by ``position``; their
display numbers (6.3) come from that order. ``key`` is a clause's (and a section's) identity across
versions: a clause carried into the next version keeps its key, so versions can be compared and cited.

A version that has been published is a record of what the trust adopted: it, its sections and its
clauses can no longer be changed or deleted; its one allowed change is to be marked superseded by its
successor. The guard sits on the models and their QuerySets, which are also their base managers, so
every ORM path (save, delete, update, bulk writes, raw delete, Django's own collector) asks first; on
PostgreSQL, triggers (migration 0005) refuse the same in raw SQL.
"""

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from symphony_portal.lib.records import AppendOnlyModel, AppendOnlyQuerySet
from symphony_portal.lib.terms import ReviewStatus, Term
from symphony_portal.lib.urls import reverse_once

from . import permissions

FROZEN_MESSAGE = (
    "This version of the policy has been published and cannot be changed or deleted. "
    "Start a new draft version to make changes."
)


class FrozenVersionError(ValidationError):
    """Raised on any attempt to change a published or superseded version, or its sections and clauses."""

    def __init__(self, message: str = FROZEN_MESSAGE):
        super().__init__(message, code="frozen")


class Season(models.TextChoices):
    SPRING = "spring", "Spring"
    SUMMER = "summer", "Summer"
    AUTUMN = "autumn", "Autumn"


class Policy(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    # Some policies are acknowledged again every year (Keeping Children Safe in Education each September),
    # new version or not. A round is derived from this date, not stored: see ``round_start``.
    yearly_from = models.DateField(
        "acknowledged again every year from",
        null=True,
        blank=True,
        help_text="On this date and each anniversary a new round opens: everyone acknowledges again.",
    )

    # Who must acknowledge it (policies.audience reads these): by default everyone, as before.
    for_employees = models.BooleanField("employees", default=True)
    for_governors = models.BooleanField("governors", default=True)
    for_trustees = models.BooleanField("trustees", default=True)
    all_schools = models.BooleanField(
        default=True, help_text="Every school and the central trust team; otherwise the schools chosen."
    )
    audience_schools = models.ManyToManyField(
        "trust.School", blank=True, related_name="+", help_text="When not for all schools: which ones."
    )
    include_central_team = models.BooleanField(
        "the central trust team",
        default=True,
        help_text="When for chosen schools: whether the people of no school (central team, trustees) too.",
    )
    audience_tag = models.ForeignKey(
        "trust.Tag",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only the people HR has given this tag (empty: no tag needed).",
    )
    acknowledge_within_days = models.PositiveSmallIntegerField(
        "school days to acknowledge",
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text="From publication, or from the day a person joins the audience (weekdays).",
    )
    audience_changed_at = models.DateTimeField(null=True, blank=True)
    audience_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(m2m_fields=[audience_schools])

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_once("policies:policy_detail", self.slug)  # home lists every policy

    def round_start(self, today: date | None = None) -> date | None:
        """The first day of the yearly round open on ``today``: the latest anniversary of ``yearly_from``
        on or before it; None for a policy acknowledged once per version, or before its first round.

        Derived from the date alone, so every host and every page agree without a job opening rounds.
        """
        if self.yearly_from is None:
            return None
        today = today or timezone.localdate()
        if today < self.yearly_from:
            return None
        start = anniversary(self.yearly_from, today.year)
        return start if start <= today else anniversary(self.yearly_from, today.year - 1)


def anniversary(day: date, year: int) -> date:
    """``day`` in ``year``; 29 February falls on 28 February in other years."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def round_label(start: date) -> str:
    """How a yearly round is named: "2026-27 (from 1 September 2026)"."""
    return f"{start.year}-{(start.year + 1) % 100:02d} (from {start.day} {start:%B %Y})"


class PolicyVersionQuerySet(models.QuerySet):
    def published(self) -> "PolicyVersionQuerySet":
        """The live version of each policy."""
        return self.filter(status=PolicyVersion.Status.PUBLISHED)

    def adopted(self) -> "PolicyVersionQuerySet":
        """Versions that were published at some point: the live one and the superseded ones."""
        return self.exclude(status=PolicyVersion.Status.DRAFT)

    def readable_by(self, user) -> "PolicyVersionQuerySet":
        """Adopted versions for everyone signed in; drafts only for HR, who write them."""
        if permissions.can_manage_reviews(user):
            return self.all()
        return self.adopted()

    def status_for_share(self, pk: int) -> str | None:
        """The version's status, read under a shared row lock held to the end of the transaction.

        On PostgreSQL (SELECT ... FOR SHARE) it waits for a publication in progress and then reads what
        it committed, and a publication waits for it: what is decided on this status (an
        acknowledgement) is of a version live when it was made. Many readers share the lock. SQLite
        runs one writer at a time, so a plain read is enough there.
        """
        connection = connections[self.db]
        if connection.vendor != "postgresql":
            return self.filter(pk=pk).values_list("status", flat=True).first()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT status FROM {self.model._meta.db_table} WHERE id = %s FOR SHARE", [pk])  # noqa: S608 - table name from the model
            row = cursor.fetchone()
        return row[0] if row else None

    # The guard: no bulk path touches an adopted version. Superseding goes through save() alone,
    # where its successor is checked (PolicyVersion.save).
    def _refuse_if_adopted(self) -> None:
        if self.exclude(status=PolicyVersion.Status.DRAFT).exists():
            raise FrozenVersionError()

    def update(self, **kwargs):
        self._refuse_if_adopted()
        return super().update(**kwargs)

    def _update(self, values):
        # save()'s own UPDATE: of a draft, or of a published version only to supersede it by another
        # version of its policy; called directly, anything else is refused like update().
        changed = {field.name: value for field, _, value in values}
        if not self._only_superseding(changed):
            self._refuse_if_adopted()
        return super()._update(values)

    def _only_superseding(self, changed: dict) -> bool:
        successor = getattr(changed.get("superseded_by"), "pk", changed.get("superseded_by"))
        if not (
            set(changed) <= {"status", "superseded_at", "superseded_by"}
            and changed.get("status") == PolicyVersion.Status.SUPERSEDED
            and changed.get("superseded_at") is not None
            and successor is not None
        ):
            return False
        rows = list(self.values_list("pk", "status", "policy_id"))
        successor_policy = set(
            PolicyVersion._base_manager.filter(pk=successor).values_list("policy_id", flat=True)
        )
        return all(
            status in (PolicyVersion.Status.DRAFT, PolicyVersion.Status.PUBLISHED)
            and pk != successor
            and policy_id in successor_policy
            for pk, status, policy_id in rows
        )

    def delete(self):
        self._refuse_if_adopted()
        return super().delete()

    def _raw_delete(self, using):
        self._refuse_if_adopted()
        return super()._raw_delete(using)

    def bulk_update(self, objs, fields, batch_size=None):
        _refuse_if_any_adopted({obj.pk for obj in objs})
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def bulk_create(self, objs, *args, **kwargs):
        if kwargs.get("update_conflicts"):
            raise FrozenVersionError()
        return super().bulk_create(objs, *args, **kwargs)


class PolicyVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"

    class Change(models.TextChoices):
        """What publishing this version did to the acknowledgements of the one before (chosen by HR)."""

        FIRST = "first", "First publication"
        MATERIAL = "material", "Material change: everyone acknowledges again"
        MINOR = "minor", "Minor change: acknowledgements carry over"

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(max_length=40, help_text='How the trust names this version, e.g. "2016-2019".')
    adopted_season = models.CharField(max_length=10, choices=Season.choices, blank=True)
    adopted_year = models.PositiveSmallIntegerField(null=True, blank=True)
    review_season = models.CharField(max_length=10, choices=Season.choices)
    review_year = models.PositiveSmallIntegerField()
    developed_by = models.TextField(blank=True, help_text="Who developed the policy, with contact details.")
    applies_to = models.TextField(blank=True, help_text="To whom the policy applies, shown with the policy.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    continues = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="continued_by",
        help_text="The version this one was drafted from.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version whose publication superseded this one.",
    )
    # The policy's title is printed on every copy of a version; once adopted, the title stays as it was
    # adopted even if the policy is renamed later. Part of the fingerprint (policies.selectors).
    adopted_title = models.CharField(
        max_length=200, blank=True, help_text="The policy's title when this version was published."
    )
    # False only for versions adopted or approved before titles were fingerprinted: their recorded
    # fingerprints (acknowledgements, exports, approvals) are of the clauses alone and must stay true.
    title_in_fingerprint = models.BooleanField(default=True, editable=False)
    # The sign-off, recorded by HR before publishing. The fingerprint is of the text that was approved:
    # a draft edited after its approval needs the approval recorded again.
    approved_by_body = models.CharField(
        "approved by", max_length=200, blank=True, help_text="e.g. the Board of Trustees, or a committee."
    )
    approved_on = models.DateField("date of approval", null=True, blank=True)
    approval_minute_reference = models.CharField("minute reference", max_length=100, blank=True)
    approved_fingerprint = models.CharField(max_length=64, blank=True)
    approval_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Chosen when publishing. Empty for versions published before the choice existed (all material).
    change = models.CharField(max_length=10, choices=Change.choices, blank=True)
    change_reason = models.TextField(blank=True, help_text="Why HR judged the change minor or material.")
    # A minor change carries the acknowledgements over: those of the first version of the run of minor
    # changes (named here) and of every version since count for this one. Records are never copied:
    # each stays bound to the text that was signed.
    carries_over_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a minor change: the version whose acknowledgements (and those since) count here.",
    )

    history = HistoricalRecords()
    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["policy", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "label"], name="policies_version_label_unique"),
            models.UniqueConstraint(
                fields=["policy"], condition=Q(status="published"), name="policies_one_published_version"
            ),
            models.UniqueConstraint(
                fields=["policy"], condition=Q(status="draft"), name="policies_one_draft_version"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(adopted_title=""), name="policies_adopted_version_has_title"
            ),
            models.CheckConstraint(
                condition=~Q(status="superseded") | Q(superseded_by__isnull=False),
                name="policies_superseded_version_has_successor",
            ),
        ]
        base_manager_name = "objects"  # Model._base_manager is guarded too

    def __str__(self) -> str:
        return f"{self.title} {self.label}"

    def save(self, *args, **kwargs):
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            adopted = stored is not None and stored != self.Status.DRAFT
            if adopted and not self._is_superseding(stored, kwargs):
                raise FrozenVersionError()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("policies:version_detail", args=[self.policy.slug, self.pk])

    def changes_since_url(self, older: "PolicyVersion") -> str:
        """The comparison page: what changed from ``older`` to this version of the same policy."""
        return f"{reverse('policies:compare', args=[self.policy.slug])}?from={older.pk}&to={self.pk}"

    def get_draft_url(self) -> str:
        return reverse("policies:draft_detail", args=[self.policy.slug, self.pk])

    def delete(self, *args, **kwargs):
        if type(self).objects.filter(pk=self.pk).exclude(status=self.Status.DRAFT).exists():
            raise FrozenVersionError()
        return super().delete(*args, **kwargs)

    def _is_superseding(self, stored: str, kwargs: dict) -> bool:
        """The one change a published version may take: being marked superseded by its successor, a
        newer version of the same policy (that publishing makes live in the same transaction)."""
        update_fields = set(kwargs.get("update_fields") or ())
        return (
            stored == self.Status.PUBLISHED
            and self.status == self.Status.SUPERSEDED
            and bool(update_fields)
            and update_fields <= {"status", "superseded_at", "superseded_by"}
            and self.superseded_at is not None
            and self.superseded_by_id is not None
            and self.superseded_by_id != self.pk
            and type(self).objects.filter(pk=self.superseded_by_id, policy_id=self.policy_id).exists()
        )

    @property
    def title(self) -> str:
        """The title printed on this version: as adopted, or for a draft the policy's title now."""
        return self.adopted_title if not self.is_draft else self.policy.title

    @property
    def acknowledgement_base_id(self) -> int:
        """The version whose run of minor changes this one belongs to (itself after a material change)."""
        return self.carries_over_from_id or self.pk

    @property
    def is_minor_change(self) -> bool:
        return self.change == self.Change.MINOR

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_superseded(self) -> bool:
        return self.status == self.Status.SUPERSEDED

    @property
    def has_approval(self) -> bool:
        return self.approved_on is not None

    @property
    def adopted_term(self) -> Term | None:
        if self.adopted_season and self.adopted_year:
            return Term(self.adopted_season, self.adopted_year)
        return None

    @property
    def review_term(self) -> Term:
        return Term(self.review_season, self.review_year)

    def review_status(self, today=None) -> ReviewStatus:
        return ReviewStatus(self.review_term, today or timezone.localdate())


def _refuse_if_any_adopted(version_ids) -> None:
    """Refuse if any of these versions has been adopted (published or superseded)."""
    version_ids = {pk for pk in version_ids if pk is not None}
    adopted = PolicyVersion.objects.filter(pk__in=version_ids).exclude(status=PolicyVersion.Status.DRAFT)
    if version_ids and adopted.exists():
        raise FrozenVersionError()


def _refuse_if_frozen(version_id) -> None:
    _refuse_if_any_adopted({version_id})


class DraftOnlyQuerySet(models.QuerySet):
    """Every bulk path of the parts of a version (sections, clauses) is refused as soon as one row it
    touches, or one version or section it would move rows into, belongs to an adopted version."""

    def _refuse_if_adopted(self) -> None:
        if self.exclude(version__status=PolicyVersion.Status.DRAFT).exists():
            raise FrozenVersionError()

    def _refuse_targets(self, assignments: dict) -> None:
        # A row can be moved into an adopted version by its version, or (a clause) by its section.
        for name in ("version", "version_id", "section", "section_id"):
            if name not in assignments:
                continue
            value = assignments[name]
            if hasattr(value, "resolve_expression"):  # F(), Subquery: the target cannot be checked here
                raise FrozenVersionError("A clause or section can only be moved to a version named plainly.")
            pk = getattr(value, "pk", value)
            if name.startswith("section"):
                version_ids = Section.objects.filter(pk=pk).values_list("version_id", flat=True)
                _refuse_if_any_adopted(set(version_ids))
            else:
                _refuse_if_frozen(pk)

    def update(self, **kwargs):
        self._refuse_if_adopted()
        self._refuse_targets(kwargs)
        return super().update(**kwargs)

    def _update(self, values):  # save()'s own UPDATE, or anyone calling it directly
        self._refuse_if_adopted()
        self._refuse_targets({field.name: value for field, _, value in values})
        return super()._update(values)

    def delete(self):
        self._refuse_if_adopted()
        return super().delete()

    def _raw_delete(self, using):
        self._refuse_if_adopted()
        return super()._raw_delete(using)

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        stored = self.model._base_manager.filter(pk__in=[obj.pk for obj in objs])
        _refuse_if_any_adopted(set(stored.values_list("version_id", flat=True)))
        for obj in objs:
            obj.refuse_if_frozen_target()
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if kwargs.get("update_conflicts"):
            raise FrozenVersionError()
        for obj in objs:
            obj.refuse_if_frozen_target()
        return super().bulk_create(objs, *args, **kwargs)


class DraftOnlyModel(models.Model):
    """A part of a version (section, clause): writable only while its version is a draft."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.refuse_if_frozen_target()
        if self.pk:
            stored_version = (
                type(self)._base_manager.filter(pk=self.pk).values_list("version_id", flat=True).first()
            )
            _refuse_if_frozen(stored_version)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_if_frozen(self.version_id)
        if self.pk:
            stored_version = (
                type(self)._base_manager.filter(pk=self.pk).values_list("version_id", flat=True).first()
            )
            _refuse_if_frozen(stored_version)
        return super().delete(*args, **kwargs)

    def refuse_if_frozen_target(self) -> None:
        """Refuse if this row would be written into an adopted version (through its version or section)."""
        version_ids = {self.version_id}
        section_id = getattr(self, "section_id", None)
        if section_id is not None:
            version_ids |= set(Section.objects.filter(pk=section_id).values_list("version_id", flat=True))
        _refuse_if_any_adopted(version_ids)


class Section(DraftOnlyModel):
    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="sections")
    key = models.UUIDField(default=uuid.uuid4, help_text="This section's identity across versions.")
    position = models.PositiveIntegerField()
    heading = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()
    objects = DraftOnlyQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"  # Model._base_manager is guarded too
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="policies_section_key_unique_in_version"),
        ]

    def __str__(self) -> str:
        return self.heading or "(opening section)"


class Clause(DraftOnlyModel):
    class Style(models.TextChoices):
        PARAGRAPH = "paragraph", "Paragraph"
        BULLET = "bullet", "Bullet point"

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="clauses")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="clauses")
    key = models.UUIDField(default=uuid.uuid4, help_text="This clause's identity across versions.")
    position = models.PositiveIntegerField()
    style = models.CharField(max_length=10, choices=Style.choices, default=Style.PARAGRAPH)
    text = models.TextField(
        help_text="The clause's exact wording. *Asterisks* mark emphasis, as in the original."
    )
    # Optimistic locking: an edit names the revision it started from, and is refused if someone
    # else saved the clause in between (policies.services.edit_clause).
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = DraftOnlyQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        ordering = ["version", "section__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="policies_clause_key_unique_in_version"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self):
        super().clean()
        if self.section_id and self.version_id and self.section.version_id != self.version_id:
            raise ValidationError("A clause must belong to a section of its own version.")


class ReviewReminder(AppendOnlyModel):
    """A review reminder queued (with its outbox rows, in one transaction): one per version, kind and day."""

    append_only_message = "A review reminder sent is a permanent record: it cannot be changed or deleted."

    class Kind(models.TextChoices):
        DAYS_90 = "days_90", "90 days before the review term"
        DAYS_30 = "days_30", "30 days before the review term"
        DAYS_7 = "days_7", "7 days before the review term"
        OVERDUE = "overdue", "Review overdue"

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="review_reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_on = models.DateField(help_text="The day the schedule sets for this reminder.")
    sent_on = models.DateField(help_text="The day it was actually sent (later after a mail outage).")
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.TextField(help_text="The HR people it went to, one address a line.")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind", "due_on"], name="policies_review_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.get_kind_display()} ({self.due_on})"


class ExportKind(models.TextChoices):
    POLICY_PDF = "policy_pdf", "Policy PDF"
    SIGNOFF_PACK = "signoff_pack", "Signed-off review pack"


class PolicyExport(AppendOnlyModel):
    """A document that left the portal: who took it, when, of which version, and its bytes' SHA-256."""

    append_only_message = "An export record is permanent: it cannot be changed or deleted."

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="exports")
    kind = models.CharField(max_length=20, choices=ExportKind.choices)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when made from the command line (cron).",
    )
    exported_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0, help_text="Bytes.")
    file_sha256 = models.CharField("file fingerprint (SHA-256)", max_length=64)
    signed = models.BooleanField(default=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        ordering = ["-exported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.version_id} on {self.exported_at:%d/%m/%Y %H:%M}"
