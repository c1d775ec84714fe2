"""Every change to a report: made here, in one transaction, with its line on the timeline.

Emails go after the transaction commits (a rollback emails nobody) and carry only a link and the words
"received" or "assigned": no reference, no content, no names.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from policies.models import PolicyVersion
from policies.selectors import outline
from symphony_portal.lib import emails
from symphony_portal.trust.models import User

from . import evidence as evidence_files
from . import routing
from .models import (
    ConcernReport,
    Evidence,
    HandlerRole,
    Outcome,
    ReferenceCounter,
    ReportedClause,
    ReportEvent,
    Status,
)

# The policy whose clauses a report may cite.
REPORTED_POLICY_SLUG = "social-media-policy"


def current_policy_version() -> PolicyVersion | None:
    """The published version of the Social Media Policy, whose clauses a new report may cite."""
    return PolicyVersion.objects.published().filter(policy__slug=REPORTED_POLICY_SLUG).first()


@dataclass
class ReportDetails:
    """What the reporter says: everything but the evidence and the clauses."""

    subject: User | None
    subject_name: str
    platform: str
    platform_other: str
    link: str
    seen_on: date
    still_visible: str
    description: str
    is_cyberbullying: bool


def allocate_reference(year: int) -> str:
    """The next reference of the year (SMR-2026-0007), safe when two reports are made at once.

    The UPDATE takes the year's row lock (PostgreSQL) or the database write lock (SQLite) before the
    number is read, so two transactions can never read the same number; the unique reference backs it.
    """
    ReferenceCounter.objects.get_or_create(year=year)
    ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
    number = ReferenceCounter.objects.select_for_update().values_list("last", flat=True).get(year=year)
    return f"SMR-{year}-{number:04d}"


def _snapshot_clauses(report: ConcernReport, clause_keys: list[str]) -> None:
    if not clause_keys:
        return
    version = current_policy_version()
    if version is None:
        raise ValidationError("No version of the policy is published, so no clause can be cited.")
    wanted = {str(key) for key in clause_keys}
    numbered = [clause for section in outline(version) for clause in section.clauses]
    cited = [clause for clause in numbered if str(clause.key) in wanted]
    if len(cited) != len(wanted):
        raise ValidationError("A clause cited is not part of the current version of the policy.")
    ReportedClause.objects.bulk_create(
        ReportedClause(
            report=report, version=version, clause_key=c.key, number=c.number, text=c.text, position=i
        )
        for i, c in enumerate(cited, start=1)
    )


@transaction.atomic
def submit(
    details: ReportDetails,
    *,
    by: User,
    clause_keys: list[str] = (),
    files: list[evidence_files.CheckedFile] = (),
    notify: bool = True,
) -> ConcernReport:
    """Make a report, route it, keep its cited clauses and evidence; email the reporter and the handler."""
    if details.subject is not None and details.subject.pk == by.pk:
        raise ValidationError("You cannot report yourself.")
    school = routing.routing_school(subject=details.subject, reporter=by)
    route = routing.route(subject=details.subject, reporter=by, school=school)
    now = timezone.now()
    report = ConcernReport.objects.create(
        reference=allocate_reference(timezone.localdate(now).year),
        reporter=by,
        subject=details.subject,
        subject_name="" if details.subject else details.subject_name.strip(),
        school=school,
        handler=route.handler,
        handler_role=route.role,
        platform=details.platform,
        platform_other=details.platform_other.strip(),
        link=details.link,
        seen_on=details.seen_on,
        still_visible=details.still_visible,
        description=details.description,
        is_cyberbullying=details.is_cyberbullying,
        submitted_at=now,
    )
    _snapshot_clauses(report, list(clause_keys))
    ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.SUBMITTED, actor=by, at=now)
    ReportEvent.objects.create(
        report=report, kind=ReportEvent.Kind.ROUTED, assignee=route.handler, at=now, note=_routed_note(route)
    )
    stored = []
    try:
        for position, checked in enumerate(files, start=1):
            stored_name = evidence_files.store(checked)
            stored.append(stored_name)
            Evidence.objects.create(
                report=report,
                position=position,
                original_name=checked.original_name,
                stored_name=stored_name,
                kind=checked.kind,
                size=len(checked.data),
                sha256=checked.sha256,
                uploaded_at=now,
            )
    except BaseException:
        # The rows roll back with the transaction; the files written so far must go with them.
        for name in stored:
            evidence_files.path_of(name).unlink(missing_ok=True)
        raise
    if notify:
        # Outbox rows in this transaction: the report is saved and acknowledged on the page whatever
        # the mail server does, and a rolled-back report emails nobody.
        _email_received(by.email)
        _email_assigned(route.handler.email)
    return report


def _routed_note(route: routing.Route) -> str:
    return f"Routed to the {HandlerRole(route.role).label}."


def _email_received(to: str) -> None:
    emails.send("report_received", to=[to], context={"link": emails.absolute_url("reports:mine")})


def _email_assigned(to: str) -> None:
    emails.send("report_assigned", to=[to], context={"link": emails.absolute_url("reports:cases")})


def _assign(report: ConcernReport, route: routing.Route) -> None:
    report.handler, report.handler_role = route.handler, route.role
    report.save(update_fields=["handler", "handler_role"])
    _email_assigned(route.handler.email)


@transaction.atomic
def recheck_handler(report: ConcernReport) -> bool:
    """Re-route the case if its handler no longer fits (left their role, or is now its subject)."""
    locked = ConcernReport.objects.select_for_update().get(pk=report.pk)
    if routing.handler_still_fits(locked):
        return False
    previous = locked.handler
    route = routing.reroute(locked)
    _assign(locked, route)
    ReportEvent.objects.create(
        report=locked,
        kind=ReportEvent.Kind.REASSIGNED,
        assignee=route.handler,
        note=f"Passed on automatically: {previous} no longer handles this case. {_routed_note(route)}",
    )
    report.refresh_from_db()
    return True


@transaction.atomic
def record_opening(report: ConcernReport, *, by: User) -> ReportEvent:
    """Note on the timeline that this person opened the case page."""
    return ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.OPENED, actor=by)


@transaction.atomic
def record_download(item: Evidence, *, by: User) -> ReportEvent:
    """Note on the timeline that this person downloaded a piece of evidence."""
    return ReportEvent.objects.create(
        report=item.report, kind=ReportEvent.Kind.EVIDENCE_DOWNLOADED, actor=by, evidence=item
    )


@transaction.atomic
def change_status(report: ConcernReport, *, to: str, note: str, outcome: str = "", by: User) -> ConcernReport:
    """Move a case on (received -> under review -> closed), with a note, and an outcome when closing."""
    report = ConcernReport.objects.select_for_update().get(pk=report.pk)
    if to not in report.next_statuses:
        raise ValidationError(
            f"A case that is {report.get_status_display().lower()} cannot be moved to "
            f"{Status(to).label.lower() if to in Status.values else to}."
        )
    if not note.strip():
        raise ValidationError("Please write a note saying why the status changes.")
    if to == Status.CLOSED and outcome not in Outcome.values:
        raise ValidationError("Please choose the outcome of the case.")
    if to != Status.CLOSED and outcome:
        raise ValidationError("An outcome is given only when the case is closed.")
    now = timezone.now()
    previous = report.status
    report.status, report.outcome = to, outcome
    fields = ["status", "outcome"]
    if report.acknowledged_at is None:
        report.acknowledged_at = now
        fields.append("acknowledged_at")
    if to == Status.CLOSED:
        report.closed_at = now
        fields.append("closed_at")
    report.save(update_fields=fields)
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.STATUS_CHANGED,
        actor=by,
        at=now,
        from_status=previous,
        to_status=to,
        outcome=outcome,
        note=note.strip(),
    )
    return report


@transaction.atomic
def add_note(report: ConcernReport, *, note: str, by: User) -> ReportEvent:
    """Add a note to the case's timeline."""
    if not note.strip():
        raise ValidationError("The note is empty.")
    return ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.NOTE, actor=by, note=note.strip())


def executive_head_for(report: ConcernReport) -> User | None:
    """The Executive Head Teacher who could take this case, if there is one who is not involved in it."""
    for person in routing.holders(HandlerRole.EXECUTIVE_HEAD, None):
        if person.pk not in (report.subject_id, report.reporter_id):
            return person
    return None


@transaction.atomic
def pass_to_executive_head(report: ConcernReport, *, reason: str, by: User) -> ConcernReport:
    """Hand the case to the Executive Head Teacher (a conflict of interest, say), with the reason."""
    report = ConcernReport.objects.select_for_update().get(pk=report.pk)
    if report.is_closed:
        raise ValidationError("This case is closed.")
    if not reason.strip():
        raise ValidationError("Please give the reason for passing the case on.")
    target = executive_head_for(report)
    if target is None:
        raise ValidationError("There is no Executive Head Teacher who can take this case.")
    if target.pk == report.handler_id:
        raise ValidationError("The case is already with the Executive Head Teacher.")
    _assign(report, routing.Route(handler=target, role=HandlerRole.EXECUTIVE_HEAD))
    ReportEvent.objects.create(
        report=report, kind=ReportEvent.Kind.REASSIGNED, actor=by, assignee=target, note=reason.strip()
    )
    return report
