"""Who handles a report: the rules of the policy, in one place.

- A report about a colleague goes to the Head Teacher / Head of School of the colleague's school; for a
  name typed in, of the reporter's school.
- About a Head Teacher / Head of School, or someone of the central trust team: the Executive Head Teacher.
- About the Executive Head Teacher: the Chair of Trustees or, where none is set, HR.
- Nobody ever handles a report about themselves, nor one they made; when a step has nobody else, the
  next step takes it (Head -> Executive Head -> Chair of Trustees -> HR).

The handler's fitness is checked again whenever the case is opened (``handler_still_fits``): a handler who
has left their role, left the trust, or has become the subject, loses the case to whoever the rules name now.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from symphony_portal.trust.models import Role, School, User

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


def first_step(subject: User | None, school: School | None) -> str:
    """Where the chain starts for this colleague."""
    if subject is not None and subject.is_executive_head:
        return HandlerRole.CHAIR_OF_TRUSTEES
    if school is None or (subject is not None and subject.is_head_teacher):
        return HandlerRole.EXECUTIVE_HEAD
    return HandlerRole.HEAD_TEACHER


def holders(role: str, school: School | None) -> list[User]:
    """Active people holding a handler role (at ``school`` for a Head), in a stable order."""
    people = User.objects.active().filter(role_assignments__role=ROLE_OF[role])
    if role == HandlerRole.HEAD_TEACHER:
        people = people.filter(role_assignments__school=school)
    return list(people.order_by("pk").distinct())


def route(*, subject: User | None, reporter: User, school: School | None, start: str | None = None) -> Route:
    """The handler for a report, following the chain from ``start`` (default: the colleague's first step)."""
    start = start or first_step(subject, school)
    excluded = {reporter.pk} | ({subject.pk} if subject is not None else set())
    for role in CHAIN[CHAIN.index(start) :]:
        for person in holders(role, school):
            if person.pk not in excluded:
                return Route(handler=person, role=role)
    raise NoHandlerError()


def handler_still_fits(report: ConcernReport) -> bool:
    """Whether the handler still holds the role the case was given to them for, and is not its subject."""
    handler = report.handler
    if not handler.is_active or handler.pk in (report.subject_id, report.reporter_id):
        return False
    if (
        report.subject_id
        and report.handler_role == HandlerRole.HEAD_TEACHER
        and report.subject.is_head_teacher
    ):
        # The colleague has become a Head since: the case belongs with the Executive Head Teacher now.
        return False
    role = report.handler_role
    if role == HandlerRole.HEAD_TEACHER:
        return report.school_id in handler.headed_school_ids
    return handler.has_role(ROLE_OF[role])


def reroute(report: ConcernReport) -> Route:
    """Where the case goes now that its handler no longer fits: never back down the chain."""
    school = report.school
    start = max(first_step(report.subject, school), report.handler_role, key=lambda role: CHAIN.index(role))
    return route(subject=report.subject, reporter=report.reporter, school=school, start=start)
