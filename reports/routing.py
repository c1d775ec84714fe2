"""Who handles a report: the rules of the policy, in one place.

- A report about a colleague goes to the Head Teacher / Head of School of the colleague's school; for a
  name typed in, of the reporter's school.
- About a Head Teacher / Head of School, or someone of the central trust team: the Executive Head Teacher.
- About the Executive Head Teacher: the Chair of Trustees or, where none is set, HR.
- A report may be about several people: a typed-in name is matched against the whole directory
  (reports/subjects.py), and everyone it could mean is a *possible subject*; a picked colleague is the one
  possible subject. When in doubt the report goes up: the chain starts at the highest step any possible
  subject calls for (a name that could mean a Head starts at the Executive Head Teacher, one that could
  mean the Executive Head Teacher at the Chair of Trustees).
- Nobody ever handles a report that may be about them, nor one they made, nor one they stepped aside
  from; when a step has nobody else, the next step takes it (Head -> Executive Head -> Chair of
  Trustees -> HR).

The handler's fitness is checked again whenever the case is opened (``handler_still_fits``): a handler who
has left their role, left the trust, or whose step is now too low (a possible subject has become a Head),
loses the case to whoever the rules name now, never to a possible subject.
"""

from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Value

from symphony_portal.trust.models import Role, School, User

from . import permissions, subjects
from .models import ConcernReport, HandlerRole

CHAIN = [HandlerRole.HEAD_TEACHER, HandlerRole.EXECUTIVE_HEAD, HandlerRole.CHAIR_OF_TRUSTEES, HandlerRole.HR]
ROLE_OF = {
    HandlerRole.HEAD_TEACHER: Role.HEAD_TEACHER,
    HandlerRole.EXECUTIVE_HEAD: Role.EXECUTIVE_HEAD,
    HandlerRole.CHAIR_OF_TRUSTEES: Role.CHAIR_OF_TRUSTEES,
    HandlerRole.HR: Role.HR,
}


class NoHandlerError(ValidationError):
    def __init__(self):
        super().__init__(
            "Nobody can receive this report: the trust has no Head Teacher, Executive Head Teacher, "
            "Chair of Trustees or HR who could handle it. Please contact HR directly.",
            code="no_handler",
        )


@dataclass(frozen=True)
class Route:
    handler: User
    role: str


def routing_school(*, subject: User | None, reporter: User) -> School | None:
    """The school whose Head receives the report: the colleague's, or the reporter's for a typed-in name."""
    person = subject if subject is not None else reporter
    return person.school


def higher(*steps: str) -> str:
    """The step furthest up the chain."""
    return max(steps, key=CHAIN.index)


def first_step(possible_subject_ids: Collection[int], school: School | None) -> str:
    """Where the chain starts for a report routed by ``school`` that may be about these people.

    The Chair of Trustees when any of them is the Executive Head Teacher; the Executive Head Teacher when
    any is a Head, belongs to the central trust team, or the report has no school; otherwise the Head.
    Their roles are read now, whether they are active or not: a former Head still calls for the step up.
    One query.
    """
    steps = {HandlerRole.EXECUTIVE_HEAD} if school is None else {HandlerRole.HEAD_TEACHER}
    if possible_subject_ids:
        people = User.objects.filter(pk__in=list(possible_subject_ids)).order_by()
        calls_for = [
            people.holding(Role.EXECUTIVE_HEAD).annotate(step=Value(HandlerRole.CHAIR_OF_TRUSTEES)),
            people.holding(Role.HEAD_TEACHER).annotate(step=Value(HandlerRole.EXECUTIVE_HEAD)),
            people.filter(school__isnull=True).annotate(step=Value(HandlerRole.EXECUTIVE_HEAD)),
        ]
        first, *others = (query.values_list("step", flat=True) for query in calls_for)
        steps |= set(first.union(*others))
    return higher(*steps)


def holders(role: str, school: School | None) -> list[User]:
    """Active people holding a handler role (at ``school`` for a Head), in a stable order."""
    if role == HandlerRole.HEAD_TEACHER:
        if school is None:
            return []
        people = User.objects.active().holding(ROLE_OF[role], school=school)
    else:
        people = User.objects.active().holding(ROLE_OF[role])
    return list(people.order_by("pk"))


def route(*, start: str, school: School | None, excluded: Collection[int]) -> Route:
    """The first active holder of a step from ``start`` up the chain who is not ``excluded``."""
    for role in CHAIN[CHAIN.index(start) :]:
        for person in holders(role, school):
            if person.pk not in excluded:
                return Route(handler=person, role=role)
    raise NoHandlerError()


def route_new(*, reporter: User, school: School | None, possible_subject_ids: Collection[int]) -> Route:
    """The handler of a report being made: never its reporter, never anyone it may be about."""
    return route(
        start=first_step(possible_subject_ids, school),
        school=school,
        excluded={reporter.pk, *possible_subject_ids},
    )


@dataclass(frozen=True)
class Involved:
    """The people a case must never go to, read once per re-check."""

    possible_subject_ids: frozenset[int]
    excluded: frozenset[int]  # the possible subjects, the reporter, and whoever stepped aside


def involved_in(report: ConcernReport) -> Involved:
    """Everyone the case may be about, its reporter, and whoever stepped aside from it. Two or three queries.

    For a typed-in name the directory is matched again: someone who joined, or was renamed, since the
    report was made and whom the name could mean is recorded as a possible subject now.
    """
    possible = set(report.possible_subjects.values_list("pk", flat=True))
    if report.subject_id:
        possible.add(report.subject_id)  # always a possible subject too; kept here should a row be missing
    else:
        newly_named = [
            person
            for person in subjects.people_named(report.subject_name)
            if person.pk not in possible and person.pk != report.reporter_id
        ]
        if newly_named:
            report.possible_subjects.add(*newly_named)
            possible |= {person.pk for person in newly_named}
    stepped_aside = set(report.stepped_aside.values_list("pk", flat=True))
    return Involved(
        possible_subject_ids=frozenset(possible),
        excluded=frozenset({report.reporter_id, *possible, *stepped_aside}),
    )


def never_handlers(report: ConcernReport) -> frozenset[int]:
    """Who may never handle this case: its reporter, everyone it may be about, everyone who stepped aside."""
    return involved_in(report).excluded


def handler_still_fits(report: ConcernReport) -> bool:
    """Whether the handler may keep the case.

    They must be active, still hold the role the case was given to them for, not be involved in it
    (its reporter, a possible subject, or one who stepped aside), and their step must not be below the one
    the possible subjects call for now (one who has become a Head takes the case up to the Executive Head).
    """
    handler = report.handler
    if not handler.is_active:
        return False
    involved = involved_in(report)
    if handler.pk in involved.excluded:
        return False
    if CHAIN.index(report.handler_role) < CHAIN.index(
        first_step(involved.possible_subject_ids, report.school)
    ):
        return False
    return permissions.holds_role_for_step(handler, ROLE_OF[report.handler_role], school_id=report.school_id)


def reroute(report: ConcernReport) -> Route:
    """Where the case goes now that its handler no longer fits: never back down the chain."""
    involved = involved_in(report)
    start = higher(first_step(involved.possible_subject_ids, report.school), report.handler_role)
    return route(start=start, school=report.school, excluded=involved.excluded)


def next_step(report: ConcernReport) -> Route:
    """Where the case goes when its handler steps aside: the next step up the chain from theirs.

    When the handler is already at the last step (HR), another HR person may take it.
    """
    involved = involved_in(report)
    index = CHAIN.index(report.handler_role)
    start = higher(
        CHAIN[min(index + 1, len(CHAIN) - 1)], first_step(involved.possible_subject_ids, report.school)
    )
    return route(start=start, school=report.school, excluded=involved.excluded)
