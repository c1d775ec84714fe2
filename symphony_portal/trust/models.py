"""The trust's directory: schools, people and the roles the policy names.

A person is an employee, a governor (member of a Local Governing Body) or a trustee (member of the
Board), and belongs either to one school or to the central trust team (``school`` is empty).
Roles are held separately, because the policy's duties follow roles, not kinds: the Head Teacher /
Head of School of a school, and the trust-wide Executive Head Teacher, HR and Chair of Trustees.
"""

from datetime import datetime, timedelta
from functools import cached_property

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

# The one name of the people who belong to no school: the central trust team (trustees too).
CENTRAL_TEAM = "Central trust team"


class School(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Kind(models.TextChoices):
    EMPLOYEE = "employee", "Employee"
    GOVERNOR = "governor", "Governor"
    TRUSTEE = "trustee", "Trustee"


class UserQuerySet(models.QuerySet):
    def active(self) -> "UserQuerySet":
        """People who have not left: the only ones who appear in lists, pickers and reminders."""
        return self.filter(is_active=True)

    def in_school(self, school: "School | None") -> "UserQuerySet":
        """People of one school, or of the central trust team when ``school`` is None."""
        return self.filter(school=school)

    def heads_by_school(self) -> dict[int, list["User"]]:
        """These people who are a school's Head Teacher / Head of School, by school id, by name."""
        heads: dict[int, list[User]] = {}
        assignments = (
            RoleAssignment.objects.filter(role=Role.HEAD_TEACHER, user__in=self)
            .select_related("user")
            .order_by("user__full_name")
        )
        for assignment in assignments:
            heads.setdefault(assignment.school_id, []).append(assignment.user)
        return heads

    def holding(self, role: str, *, school: "School | None" = None) -> "UserQuerySet":
        """People holding ``role``; for a school role, at ``school``. Combine with ``active()`` as needed."""
        assignments = RoleAssignment.objects.filter(role=role)
        if school is not None:
            assignments = assignments.filter(school=school)
        return self.filter(pk__in=assignments.values("user_id"))


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # Sign-in is by email, whatever its case.
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A person needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("full_name", email.split("@")[0])
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EMPLOYEE)
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        help_text="Empty for the central trust team.",
    )
    job_title = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Untick when a person leaves: they can no longer sign in, their records stay."
    )
    is_staff = models.BooleanField("admin access", default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # When the person came to their current school (or to the central team): a policy for chosen
    # schools gives someone who moves into one of them its full time to acknowledge from that day.
    school_since = models.DateTimeField(
        default=timezone.now, help_text="When the person joined their current school or the central team."
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="trust_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def school_name(self) -> str:
        return self.school.name if self.school_id else CENTRAL_TEAM

    @property
    def is_central_team(self) -> bool:
        """Belongs to no school: the central trust team (and the Board of Trustees)."""
        return self.school_id is None

    # Roles. One query per request at most: roles are read once and kept on the instance.
    @cached_property
    def _roles(self) -> list[tuple[str, int | None]]:
        if not self.pk:
            return []
        # No ordering: the default one would join the school table for nothing.
        return list(self.role_assignments.order_by().values_list("role", "school_id"))

    def has_role(self, role: str) -> bool:
        return any(r == role for r, _ in self._roles)

    @property
    def is_executive_head(self) -> bool:
        return self.has_role(Role.EXECUTIVE_HEAD)

    @property
    def is_hr(self) -> bool:
        return self.has_role(Role.HR)

    @property
    def is_chair_of_trustees(self) -> bool:
        return self.has_role(Role.CHAIR_OF_TRUSTEES)

    @property
    def headed_school_ids(self) -> set[int]:
        """Schools this person is Head Teacher / Head of School of (not the Executive Head's reach)."""
        return {school_id for r, school_id in self._roles if r == Role.HEAD_TEACHER}

    @property
    def is_head_teacher(self) -> bool:
        """A Head Teacher in the policy's sense: a school's Head, or the Executive Head Teacher."""
        return bool(self.headed_school_ids) or self.is_executive_head

    @property
    def sees_whole_trust(self) -> bool:
        """The Executive Head Teacher and HR oversee every school and the central team."""
        return self.is_active and (self.is_executive_head or self.is_hr)

    @property
    def is_trust_administrator(self) -> bool:
        """A superuser: the only one who grants the roles that read cases, and the superuser flags."""
        return self.is_active and self.is_superuser

    def role_labels(self) -> list[str]:
        labels = []
        for assignment in self.role_assignments.select_related("school"):
            labels.append(str(assignment))
        return labels


class Tag(models.Model):
    """A group HR keeps of people across kinds and schools, e.g. "Works directly with children".

    A policy can be addressed to the people with a tag (policies.audience).
    """

    _history_user: "User | None"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("people:tag_detail", args=[self.slug])


class PersonTag(models.Model):
    """A person carries a tag since ``added_at`` (the day their time to acknowledge starts from).

    Removing a tag deletes the row; django-simple-history keeps who added and removed it, and when.
    """

    _history_user: "User | None"

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="person_tags")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="person_tags")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["person__full_name"]
        constraints = [models.UniqueConstraint(fields=["person", "tag"], name="trust_one_tag_per_person")]

    def __str__(self) -> str:
        return f"{self.person}: {self.tag}"


class Role(models.TextChoices):
    HEAD_TEACHER = "head_teacher", "Head Teacher / Head of School"
    EXECUTIVE_HEAD = "executive_head", "Executive Head Teacher"
    HR = "hr", "HR"
    CHAIR_OF_TRUSTEES = "chair_of_trustees", "Chair of Trustees"


SCHOOL_ROLES = {Role.HEAD_TEACHER}
# Roles that read confidential reports (Heads, the Executive Head, the Chair) and HR itself: only a
# trust administrator grants or removes them, and every change is recorded and announced.
GUARDED_ROLES = frozenset({Role.HEAD_TEACHER, Role.EXECUTIVE_HEAD, Role.CHAIR_OF_TRUSTEES, Role.HR})


class RoleAssignmentQuerySet(models.QuerySet):
    def held(self, person: User, role: str, *, school: School | None = None) -> "RoleAssignmentQuerySet":
        """The assignment of ``role`` to ``person`` (at ``school`` for a school role; none for the others)."""
        return self.filter(user=person, role=role, school=school)


class RoleAssignment(models.Model):
    """A role a person holds: at one school (Head Teacher / Head of School) or trust-wide."""

    _history_user: "User | None"  # set before a save: who django-simple-history records

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=30, choices=Role.choices)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="role_assignments"
    )

    history = HistoricalRecords()

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["role", "school__name"]
        constraints = [
            models.CheckConstraint(
                name="trust_role_school_matches_role",
                condition=(
                    Q(role__in=SCHOOL_ROLES, school__isnull=False)
                    | (~Q(role__in=SCHOOL_ROLES) & Q(school__isnull=True))
                ),
                violation_error_message=(
                    "A Head Teacher / Head of School needs a school; trust-wide roles have none."
                ),
            ),
            models.UniqueConstraint(fields=["user", "role", "school"], name="trust_role_unique_per_school"),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(school__isnull=True),
                name="trust_role_unique_trust_wide",
            ),
        ]

    def __str__(self) -> str:
        if self.school_id:
            return f"{self.get_role_display()}, {self.school}"
        return self.get_role_display()

    def get_absolute_url(self) -> str:
        return reverse("admin:trust_user_change", args=[self.user_id])


ROLE_CHANGE_APPEND_ONLY = "A role change is a permanent record: it cannot be changed or deleted."


class RoleChangeQuerySet(models.QuerySet):
    """Role changes are added, never updated or deleted, one by one or in bulk."""

    def update(self, **kwargs):
        raise ValidationError(ROLE_CHANGE_APPEND_ONLY)

    def delete(self):
        raise ValidationError(ROLE_CHANGE_APPEND_ONLY)


class RoleChange(models.Model):
    """A guarded role granted or removed: who did it, to whom, which role (at which school), when.

    Append-only: the record of who could read cases, and since when, must outlive every later change.
    """

    class Action(models.TextChoices):
        GRANTED = "granted", "Granted"
        REMOVED = "removed", "Removed"

    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=30, choices=Role.choices)
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    objects = RoleChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        where = f", {self.school}" if self.school_id else ""
        return f"{self.get_role_display()}{where} {self.get_action_display().lower()}: {self.person}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(ROLE_CHANGE_APPEND_ONLY)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(ROLE_CHANGE_APPEND_ONLY)

    @property
    def concerns_executive_head(self) -> bool:
        """The Executive Head's role changed, or the person changed is the Executive Head."""
        return self.role == Role.EXECUTIVE_HEAD or self.person.is_executive_head


class PeopleImportQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "PeopleImportQuerySet":
        """Imports this person uploaded: a pending file and its choices belong to whoever uploaded it."""
        return self.filter(uploaded_by=user)


class PeopleImport(models.Model):
    """A CSV of people HR uploaded: kept pending until confirmed, then its outcome is recorded.

    Nothing about people is written while the import is pending; confirming writes every change in one
    transaction. The uploaded text stays as the record of what was imported.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        IMPORTED = "imported", "Imported"

    filename = models.CharField(max_length=255)
    content = models.TextField(help_text="The uploaded CSV, decoded from UTF-8.")
    uploaded_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people_imports",
        help_text="Empty when the import was run from the shell (manage.py import_people).",
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    deactivate_missing = models.BooleanField(
        default=False, help_text="Whether people missing from the file were deactivated (never deleted)."
    )
    imported_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    deactivated_count = models.PositiveIntegerField(default=0)
    created_people = models.ManyToManyField(
        User, blank=True, related_name="+", help_text="The people this import created (and invited)."
    )
    invitations_sent = models.PositiveIntegerField(default=0)
    invitation_problem = models.CharField(max_length=500, blank=True)

    objects = PeopleImportQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.uploaded_at:%d %b %Y %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("people:import_preview", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class PasswordResetRequest(models.Model):
    """One request for a reset email, kept an hour or so to limit how many one address or client gets.

    The email is kept only as a SHA-256 of its lower-cased form: this table says how often an address was
    asked for, not which addresses people typed (most unknown ones are typos).
    """

    email_digest = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["email_digest", "requested_at"], name="trust_reset_email_time"),
            models.Index(fields=["ip_address", "requested_at"], name="trust_reset_ip_time"),
        ]

    def __str__(self) -> str:
        return f"Password reset request at {self.requested_at:%Y-%m-%d %H:%M}"


class PeopleImportJobQuerySet(models.QuerySet):
    def unfinished(self) -> "PeopleImportJobQuerySet":
        """Jobs waiting for a worker or being applied, as the database says (stalled ones included)."""
        return self.filter(state__in=PeopleImportJob.UNFINISHED)

    def stalled(self, now: datetime | None = None) -> "PeopleImportJobQuerySet":
        """Unfinished jobs that have failed without saying so: past their deadline, or their worker silent."""
        now = now or timezone.now()
        late = Q(deadline_at__lt=now)
        if not PeopleImportJob.heartbeats_recorded():
            return self.unfinished().filter(late)
        silent = Q(state=PeopleImportJob.State.RUNNING, heartbeat_at__lt=now - PeopleImportJob.STALE_AFTER)
        return self.unfinished().filter(late | silent)


class PeopleImportJob(models.Model):
    """HR's confirmation of an import, applied off the request path by a task (trust.tasks).

    At most one job per import waits or runs at a time (a database constraint): a second click is told the
    file is already being applied. The task writes the whole import in one transaction, so a worker that is
    killed, or a job that overruns its deadline, leaves nothing half-written; such a job counts as failed
    (pages show it at once) and HR can confirm again.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Being applied"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    UNFINISHED = (State.PENDING, State.RUNNING)
    # A running job's worker says it is alive (with its progress) at least every batch of rows, and
    # a job not heard of for this long has died (a killed or restarted worker). PostgreSQL only: on SQLite
    # the one writer is the import itself, so there only the deadline catches a dead worker.
    STALE_AFTER = timedelta(seconds=60)

    people_import = models.ForeignKey(PeopleImport, on_delete=models.CASCADE, related_name="jobs")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    deactivate_missing = models.BooleanField(default=False)
    confirmed_deactivate_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="The number of people to deactivate HR typed in to confirm."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(
        help_text="A waiting job must start by then, a running one finish; otherwise it has failed."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="The outcome, or what went wrong.")
    task_id = models.CharField(max_length=64, blank=True, help_text="Its task (django-tasks).")

    objects = PeopleImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One job per import at a time: a double click, or two at once, cannot apply a file twice.
            models.UniqueConstraint(
                fields=["people_import"],
                condition=Q(state__in=["pending", "running"]),
                name="one_people_import_job_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Import {self.people_import_id} ({self.get_state_display()})"

    @staticmethod
    def heartbeats_recorded() -> bool:
        """Whether a running job's worker records signs of life while it writes (see import_jobs)."""
        return connection.vendor == "postgresql"

    def stall_reason(self, now: datetime | None = None) -> str:
        """Why an unfinished job counts as failed, for HR; empty while it is still believed."""
        now = now or timezone.now()
        if self.state not in self.UNFINISHED:
            return ""
        if self.state == self.State.PENDING and self.deadline_at < now:
            return (
                "No worker started this import in time: the portal's task workers (manage.py db_worker) may "
                "not be running. Nothing was imported; confirm it again, and tell the portal's administrator "
                "if it happens again."
            )
        if self.deadline_at < now:
            return (
                "The import took longer than its time limit and was abandoned: nothing was imported. Confirm "
                "it again; if it fails again, ask the portal's administrator to look at the server log."
            )
        silent = self.heartbeat_at and self.heartbeat_at < now - self.STALE_AFTER
        if self.state == self.State.RUNNING and silent and self.heartbeats_recorded():
            return (
                "The import stopped without finishing (its worker may have been stopped or restarted): "
                "nothing was imported. Confirm it again."
            )
        return ""

    @property
    def shown_state(self) -> str:
        """The state pages show: an unfinished job that has stalled is shown as failed."""
        return self.State.FAILED if self.stall_reason() else self.state

    @property
    def shown_message(self) -> str:
        return self.stall_reason() or self.message

    @property
    def is_working(self) -> bool:
        return self.shown_state in self.UNFINISHED

    @property
    def percent_done(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class SecondFactorReset(models.Model):
    """A trust administrator removed a person's second factor (lost phone): who, whose, when.

    Append-only, like role changes: the record that an account's protection was taken off must stay.
    """

    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reset_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reset_at = models.DateTimeField(default=timezone.now)
    # How many authenticators (app, recovery codes) were removed.
    removed = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-reset_at", "-pk"]

    def __str__(self) -> str:
        return f"Second factor of {self.person} reset by {self.reset_by} at {self.reset_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("A second factor reset is kept as it was recorded.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A second factor reset is kept as it was recorded.")
