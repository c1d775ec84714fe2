"""Every change to a report: made here, in one transaction, with its line on the timeline.

Emails go after the transaction commits (a rollback emails nobody) and carry only a link and the words
"received" or "assigned": no reference, no content, no names.
"""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.defaultfilters import pluralize
from django.utils import timezone

from policies.models import PolicyVersion
from policies.selectors import outline
from symphony_portal.lib import emails
from symphony_portal.trust.models import User

from . import evidence as evidence_files
from . import routing, subjects
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
from .permissions import check_can_step_aside

logger = logging.getLogger(__name__)

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


class AlreadySubmitted(Exception):
    """This form was submitted before: the report it made is `report`, and nothing new was made."""

    def __init__(self, report: ConcernReport):
        super().__init__("This report has already been made.")
        self.report = report


def _made_with(token: uuid.UUID | None, *, by: User) -> ConcernReport | None:
    if token is None:
        return None
    return ConcernReport.objects.filter(reporter=by, submission_token=token).first()


@transaction.atomic
def submit(
    details: ReportDetails,
    *,
    by: User,
    clause_keys: Sequence[str] = (),
    files: Sequence[evidence_files.CheckedFile] = (),
    notify: bool = True,
    token: uuid.UUID | None = None,
) -> ConcernReport:
    """Make a report, route it, keep its cited clauses and evidence; email the reporter and the handler.

    `token` is the form's one-time token: a second submission with the same token (a double click, a
    resubmitted page, two tabs at once) raises AlreadySubmitted with the first report and makes nothing,
    backed by a unique constraint on (reporter, token) for submissions that arrive at the same moment.
    Evidence rows are made in this transaction and their files written only after it commits (see
    _store_evidence_files), so a rollback leaves no file behind.
    """
    if (existing := _made_with(token, by=by)) is not None:
        raise AlreadySubmitted(existing)
    if details.subject is not None and details.subject.pk == by.pk:
        raise ValidationError("You cannot report yourself.")
    possible = possible_subjects_for(details, reporter=by)
    school = routing.routing_school(subject=details.subject, reporter=by)
    route = routing.route_new(reporter=by, school=school, possible_subject_ids={p.pk for p in possible})
    now = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: the losing twin of a race can still look up the winner
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
                submission_token=token,
            )
    except IntegrityError:
        # The same form committed a moment ago in another request (its row lock made us wait for it).
        if (existing := _made_with(token, by=by)) is not None:
            raise AlreadySubmitted(existing) from None
        raise
    report.possible_subjects.set(possible)
    _snapshot_clauses(report, list(clause_keys))
    ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.SUBMITTED, actor=by, at=now)
    ReportEvent.objects.create(
        report=report, kind=ReportEvent.Kind.ROUTED, assignee=route.handler, at=now, note=_routed_note(route)
    )
    pending = []
    for position, checked in enumerate(files, start=1):
        stored_name = evidence_files.new_stored_name()
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
        pending.append((stored_name, checked.data))
    if pending:
        report_pk = report.pk
        transaction.on_commit(lambda: _store_evidence_files(report_pk, pending))
    if notify:
        # Outbox rows in this transaction: the report is saved and acknowledged on the page whatever
        # the mail server does, and a rolled-back report emails nobody.
        _email_received(by.email)
        _email_assigned(route.handler.email)
    return report


def possible_subjects_for(details: ReportDetails, *, reporter: User) -> list[User]:
    """Everyone a report may be about: the colleague picked, or everyone the typed name could mean.

    The typed name is matched against the whole directory, people who have left included; the reporter
    is left out (nobody reports themselves, and they see their own report anyway).
    """
    if details.subject is not None:
        return [details.subject]
    return [p for p in subjects.people_named(details.subject_name) if p.pk != reporter.pk]


def _store_evidence_files(report_pk: int, pending: list[tuple[str, bytes]]) -> None:
    """Write a committed report's evidence files; if one cannot be written, take back all their rows.

    The order is: rows in the report's transaction, files after it commits. A rollback therefore leaves
    no file. A write that fails after the commit (disk full, storage down) removes the files written so
    far and the evidence rows in a transaction of their own, and says so on the case's timeline, so that
    no row is left without its file; the report itself stands. Runs from transaction.on_commit: it never
    raises, the person has already been told their report was received.
    """
    try:
        for stored_name, data in pending:
            evidence_files.write(stored_name, data)
    except Exception:
        logger.exception(
            "Evidence files of report %s could not be stored; their records are removed.", report_pk
        )
        take_back_evidence(
            report_pk, [stored_name for stored_name, _ in pending], reason="could not be stored"
        )


def take_back_evidence(report_pk: int, stored_names: list[str], *, reason: str) -> int:
    """Remove evidence whose file is not (or no longer) in the store: files, rows, and a note saying so.

    Used when writing files after the commit fails, and by `check_evidence --repair` for rows left
    without their file (the process stopped between the commit and the write). Returns the rows removed.
    """
    for stored_name in stored_names:
        try:
            evidence_files.remove(stored_name)
        except Exception:  # the storage is failing: the log says which file
            logger.exception("Evidence file %s could not be removed.", stored_name)
    with transaction.atomic():
        removed, _ = Evidence.objects.filter(report_id=report_pk, stored_name__in=stored_names).delete()
        ReportEvent.objects.create(
            report_id=report_pk,
            kind=ReportEvent.Kind.NOTE,
            note=(
                f"{len(stored_names)} evidence file{pluralize(len(stored_names))} "
                f"sent with this report {reason} "
                f"{pluralize(len(stored_names), 'was,were')} not kept. "
                "Ask the person who made the report to send them again."
            ),
        )
    return removed


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
    try:
        route = routing.reroute(locked)
    except routing.NoHandlerError:
        # Nobody else may take it: it stays where it is (no one involved in it can open it) until the
        # trust names someone; never handed down the chain or to a possible subject.
        logger.warning("Case %s: its handler no longer fits and nobody else can take it.", locked.pk)
        return False
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
    excluded = routing.never_handlers(report)
    for person in routing.holders(HandlerRole.EXECUTIVE_HEAD, None):
        if person.pk not in excluded:
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


@transaction.atomic
def step_aside(report: ConcernReport, *, by: User) -> ConcernReport:
    """The handler steps aside (a conflict of interest): the case goes to the next step of the chain.

    Done before they open its details. They are recorded as having stepped aside, so the case never comes
    back to them (nor do they keep the Executive Head Teacher's view of it); the new handler is emailed.
    """
    report = ConcernReport.objects.select_for_update().get(pk=report.pk)
    check_can_step_aside(by, report)  # checked again on the locked row: two clicks move the case once
    report.stepped_aside.add(by)
    try:
        route = routing.next_step(report)
    except routing.NoHandlerError as error:
        raise ValidationError(
            "Nobody further up the chain can take this case, so you cannot step aside from it. "
            "Please contact HR."
        ) from error
    _assign(report, route)
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.STEPPED_ASIDE,
        actor=by,
        assignee=route.handler,
        note=f"{by} stepped aside from the case (a conflict of interest). {_routed_note(route)}",
    )
    return report


def may_be_about(report: ConcernReport, person: User) -> bool:
    """Whether ``report`` may be about ``person``, asked as they reach for it.

    A typed-in name that could mean them only now (they joined the trust, or were renamed, since the
    report was made) records them as a possible subject here, which closes the case to them for good.
    """
    if report.subject_id:
        return person.pk == report.subject_id
    if person.pk == report.reporter_id or not subjects.names_match(report.subject_name, person.full_name):
        return False
    with transaction.atomic():
        report.possible_subjects.add(person)
    return True
