"""Reading HR's people CSV and working out what importing it would change, without writing anything.

The file has one row per person, under a header row naming the columns (in any order):
email, name, kind, school, role, job title. ``plan(text)`` reads the whole trust in a fixed number of
queries (schools, people, roles) whatever the size of the file, so a preview of 3,000 rows is as cheap in
queries as one of 30. The writes live in ``services.py``.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from symphony_portal.lib.text import clean_name

from . import permissions
from .models import CENTRAL_TEAM, GUARDED_ROLES, SCHOOL_ROLES, Kind, Role, RoleAssignment, School, User

MAX_UPLOAD_BYTES = 2 * 1024 * 1024

COLUMNS = ("email", "name", "kind", "school", "role", "job_title")
COLUMN_LABELS = "email, name, kind, school, role, job title"
# Headers a spreadsheet might use for the same column.
COLUMN_ALIASES = {"full_name": "name", "roles": "role", "title": "job_title"}
# Spreadsheet words for "no school": the central trust team (trustees belong to no school either).
NO_SCHOOL = {"", "central_trust_team", "central_team", "trust", "board_of_trustees"}
EXCEL_HINT = (
    'In Excel, choose File > Save As and the file type "CSV UTF-8 (Comma delimited)", then upload that.'
)


# The template CSV offered to HR: the header and one example row (a teacher at no particular school).
TEMPLATE_ROWS = (
    ("email", "name", "kind", "school", "role", "job title"),
    ("jo.example@example.org", "Jo Example", "employee", "", "", "Teacher, Year 3"),
)


def template_csv() -> str:
    """The header row and one example row, as Excel reads a "CSV UTF-8" file (with its byte-order mark)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(TEMPLATE_ROWS)
    return "\ufeff" + out.getvalue()


def _word(value: str) -> str:
    """A header or choice in one spelling: 'Job Title', 'job-title' and 'job_title' are the same."""
    return "_".join(value.strip().lower().replace("-", " ").replace("/", " ").split())


KINDS = {**{_word(k): k for k in Kind.values}, **{_word(label): k for k, label in Kind.choices}}
ROLES = {
    **{_word(r): r for r in Role.values},
    **{_word(label): r for r, label in Role.choices},
    "head_teacher": Role.HEAD_TEACHER,
    "head_of_school": Role.HEAD_TEACHER,
    "headteacher": Role.HEAD_TEACHER,
    "executive_headteacher": Role.EXECUTIVE_HEAD,
    "chair": Role.CHAIR_OF_TRUSTEES,
}


def decode(data: bytes) -> str:
    """The uploaded bytes as text: UTF-8, with or without Excel's byte-order mark."""
    if data.startswith(b"PK\x03\x04"):
        raise ValidationError(f"This is an Excel workbook, not a CSV file. {EXCEL_HINT}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            f"This file is not saved as UTF-8 (the first unreadable character is at byte "
            f"{error.start + 1}). {EXCEL_HINT}"
        ) from None
    if "\x00" in text:
        raise ValidationError(f"This does not look like a CSV file. {EXCEL_HINT}")
    return text


@dataclass(frozen=True)
class Header:
    positions: dict[str, int]  # column -> index in the row
    width: int
    ignored: tuple[str, ...]


def read_header(first_row: list[str]) -> Header:
    """The columns named in the header row; raises if one is missing or named twice."""
    positions, ignored = {}, []
    for index, cell in enumerate(first_row):
        name = COLUMN_ALIASES.get(_word(cell), _word(cell))
        if name in COLUMNS:
            if name in positions:
                raise ValidationError(f'The column "{cell.strip()}" appears twice in the first row.')
            positions[name] = index
        elif cell.strip():
            ignored.append(cell.strip())
    missing = [c.replace("_", " ") for c in COLUMNS if c not in positions]
    if missing:
        raise ValidationError(
            f"The first row must name the columns {COLUMN_LABELS}; missing: {', '.join(missing)}."
        )
    return Header(positions=positions, width=len(first_row), ignored=tuple(ignored))


def _records(text: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ValidationError(f"This file cannot be read as CSV ({error}).") from None


def check_file(text: str) -> Header:
    """Refuse a file whose shape is wrong as a whole (empty, no header, unreadable)."""
    return _header_of(_records(text))


def _header_of(records: list[list[str]]) -> Header:
    if not records or not any(cell.strip() for cell in records[0]):
        raise ValidationError(f"The file is empty: the first row must name the columns {COLUMN_LABELS}.")
    return read_header(records[0])


@dataclass(frozen=True)
class PersonRow:
    """One valid row of the file: a person as the file says they should be."""

    row: int
    email: str
    full_name: str
    kind: str
    school: School | None
    roles: frozenset  # of (role, school id or None)
    job_title: str


@dataclass(frozen=True)
class Problem:
    """A row that cannot be imported, with every reason why, and the role changes it asks for."""

    row: int
    email: str
    reasons: tuple[str, ...]
    wanted: PersonRow | None = None  # what could be read of the row (None when its cells are out of line)
    gained: tuple[str, ...] = ()  # roles, in words, the row would give the person
    lost: tuple[str, ...] = ()  # roles, in words, it would take away
    roles_read: bool = True  # False when a role or its school could not be read: no role change is guessed

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)


@dataclass(frozen=True)
class Update:
    person: User
    wanted: PersonRow
    changes: tuple[str, ...]  # plain descriptions, e.g. "job title: Teacher → Head of Year"
    gained: tuple[str, ...] = ()  # roles, in words, the person would gain
    lost: tuple[str, ...] = ()  # and lose
    kept: tuple[str, ...] = ()  # and keep

    @property
    def changes_roles(self) -> bool:
        return bool(self.gained or self.lost)


@dataclass(frozen=True)
class NewPerson:
    """A row that creates a person, with the roles they would start with, in words."""

    wanted: PersonRow
    roles: tuple[str, ...]

    @property
    def changes_roles(self) -> bool:
        return bool(self.roles)


@dataclass
class Plan:
    """What importing a file would do; computed afresh for the preview and again when confirming."""

    rows: int = 0
    ignored_columns: tuple[str, ...] = ()
    to_create: list[PersonRow] = field(default_factory=list)
    to_update: list[Update] = field(default_factory=list)
    unchanged: list[User] = field(default_factory=list)
    missing: list[User] = field(default_factory=list)  # active, not in the file: deactivated only if asked
    # Missing but never deactivated by an import: the importer, administrators, holders of guarded roles.
    kept: list[User] = field(default_factory=list)
    active_count: int = 0  # active people in the portal before the import
    problems: list[Problem] = field(default_factory=list)
    current_roles: dict = field(default_factory=dict)  # user id -> {(role, school id): assignment id}
    school_names: dict = field(default_factory=dict)  # school id -> name

    @property
    def has_problems(self) -> bool:
        return bool(self.problems)

    def roles_of(self, person: User) -> str:
        """The person's roles now, in words ("Head Teacher (Harmony Primary School), HR"), or ""."""
        return ", ".join(self.roles_in_words(self.current_roles.get(person.pk, {})))

    def roles_in_words(self, roles) -> tuple[str, ...]:
        """(role, school id) pairs in words, sorted: ("HR", "Head Teacher / Head of School (Harmony)")."""
        return tuple(
            sorted(
                f"{Role(role).label} ({self.school_names.get(school_id, '?')})"
                if school_id
                else Role(role).label
                for role, school_id in roles
            )
        )

    @property
    def new_people(self) -> list[NewPerson]:
        """The people this file creates, each with the roles they would start with."""
        return [NewPerson(row, self.roles_in_words(row.roles)) for row in self.to_create]

    @property
    def role_changes(self) -> int:
        """Rows that would give or take away a role (all refused today: see GUARDED_ROLES)."""
        return sum(1 for item in [*self.problems, *self.to_update] if item.gained or item.lost) + sum(
            1 for row in self.to_create if row.roles
        )

    @property
    def leavers(self) -> list[tuple[User, str]]:
        """Those who would be deactivated, each with their roles in words: what HR confirms."""
        return [(person, self.roles_of(person)) for person in self.missing]


def _school_lookup() -> dict[str, School]:
    schools = {}
    for school in School.objects.all():
        schools[_word(school.name)] = school
        schools[_word(school.slug)] = school
    return schools


def _read_row(number: int, cells: list[str], header: Header, schools: dict) -> PersonRow | Problem:
    """The row as a person, or a Problem listing everything wrong with it (not only the first fault)."""
    # Excel pads a row with empty cells when a column further right was ever used: those are harmless.
    while len(cells) > header.width and not cells[-1].strip():
        cells = cells[:-1]
    if len(cells) != header.width:
        # The cells are out of line with the columns: anything else said about them would be a guess.
        return Problem(
            number,
            cells[header.positions["email"]].strip() if len(cells) > header.positions["email"] else "",
            (
                f"This row has {len(cells)} fields where the header has {header.width}. "
                "A value containing a comma must be in double quotes.",
            ),
        )
    # Names and titles as the forms clean them: no invisible or bidi characters, one line (lib/text.py).
    value = {name: clean_name(cells[index]) for name, index in header.positions.items()}
    reasons = []
    email = value["email"].lower()
    if not email:
        reasons.append("The email address is missing.")
    else:
        try:
            validate_email(email)
        except ValidationError:
            reasons.append(f'"{value["email"]}" is not a valid email address.')
            email = ""
    if not value["name"]:
        reasons.append("The name is missing.")
    kind = KINDS.get(_word(value["kind"]))
    if kind is None:
        shown = f'"{value["kind"]}"' if value["kind"] else "empty"
        reasons.append(f"The kind is {shown}: use employee, governor or trustee.")
    school, school_known = None, True
    if _word(value["school"]) not in NO_SCHOOL:
        school = schools.get(_word(value["school"]))
        if school is None:
            school_known = False
            reasons.append(
                f'There is no school called "{value["school"]}". Use a school\'s name or short name '
                "exactly as in the portal, or leave it empty for the central trust team."
            )
    roles, roles_read = set(), True
    for part in value["role"].replace(";", ",").split(","):
        if not _word(part):
            continue
        role = ROLES.get(_word(part))
        if role is None:
            reasons.append(
                f'"{part.strip()}" is not a role: use head_teacher, executive_head, hr or chair_of_trustees, '
                "or leave it empty."
            )
            roles_read = False
            continue
        if role in SCHOOL_ROLES and school is None:
            if school_known:  # an unknown school is reported above already
                reasons.append("A Head Teacher / Head of School needs a school in the school column.")
            roles_read = False
            continue
        roles.add((role, school.pk if role in SCHOOL_ROLES else None))
    wanted = PersonRow(
        row=number,
        email=email,
        full_name=value["name"],
        kind=kind or "",
        school=school,
        roles=frozenset(roles),
        job_title=value["job_title"],
    )
    if reasons:
        return Problem(number, email or value["email"], tuple(reasons), wanted=wanted, roles_read=roles_read)
    return wanted


def _role_names(roles) -> str:
    return ", ".join(sorted(Role(role).label for role, _ in roles)) or "none"


def _changes(person: User, wanted: PersonRow, roles: frozenset) -> tuple[str, ...]:
    changes = []
    if person.full_name != wanted.full_name:
        changes.append(f"name: {person.full_name} → {wanted.full_name}")
    if person.kind != wanted.kind:
        changes.append(f"kind: {person.get_kind_display()} → {Kind(wanted.kind).label}")
    if person.school_id != (wanted.school.pk if wanted.school else None):
        changes.append(
            f"school: {person.school_name} → {wanted.school.name if wanted.school else CENTRAL_TEAM}"
        )
    if person.job_title != wanted.job_title:
        changes.append(f"job title: {person.job_title or '(none)'} → {wanted.job_title or '(none)'}")
    if roles != wanted.roles:
        changes.append(f"roles: {_role_names(roles)} → {_role_names(wanted.roles)}")
    if not person.is_active:
        changes.append("returns: was deactivated, is active again")
    return tuple(changes)


def plan(text: str, *, importer: User | None = None) -> Plan:
    """What importing this CSV would change; three queries whatever the number of rows.

    Every row is checked in full: a row with several faults lists them all, and a row that would give or
    take away a role says which (HR's file never changes the roles that read cases, nor HR's own).
    """
    records = _records(text)
    header = _header_of(records)
    result = Plan(ignored_columns=header.ignored)
    schools = _school_lookup()
    result.school_names = {school.pk: school.name for school in schools.values()}
    # The whole trust in one query each: matching is by email, whatever its case.
    people = {p.email.lower(): p for p in User.objects.select_related("school")}
    for user_id, role, school_id, pk in RoleAssignment.objects.values_list(
        "user_id", "role", "school_id", "pk"
    ):
        result.current_roles.setdefault(user_id, {})[(role, school_id)] = pk

    first_row_of, mentioned = {}, set()
    for number, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines at the end of a spreadsheet export
        result.rows += 1
        read = _read_row(number, cells, header, schools)
        problem = read if isinstance(read, Problem) else None
        wanted = problem.wanted if problem else read
        reasons = list(problem.reasons) if problem else []
        email = wanted.email if wanted is not None else ""
        if email:
            mentioned.add(email)
            if email in first_row_of:
                reasons.append(f"This email address is already on row {first_row_of[email]}.")
            else:
                first_row_of[email] = number
        elif problem is not None:
            mentioned.add(problem.email.lower())
        person = people.get(email) if email else None
        current = frozenset(result.current_roles.get(person.pk, {})) if person is not None else frozenset()
        roles_read = wanted is not None and (problem is None or problem.roles_read)
        gained = wanted.roles - current if roles_read else frozenset()
        lost = current - wanted.roles if roles_read else frozenset()
        if {role for role, _ in gained | lost} & GUARDED_ROLES:
            # HR's file must not hand out (or take away) the roles that read cases, nor HR's own.
            reasons.append(
                f"The roles on this row ({_role_names(wanted.roles)}) are not the ones held in the portal "
                f"({_role_names(current)}): {permissions.ROLE_CHANGE_PROBLEM}."
            )
        if reasons:
            result.problems.append(
                Problem(
                    number,
                    email or (problem.email if problem else ""),
                    tuple(reasons),
                    wanted=wanted,
                    gained=result.roles_in_words(gained),
                    lost=result.roles_in_words(lost),
                )
            )
            continue
        if person is None:
            result.to_create.append(wanted)
            continue
        changes = _changes(person, wanted, current)
        if changes:
            result.to_update.append(
                Update(
                    person,
                    wanted,
                    changes,
                    gained=result.roles_in_words(gained),
                    lost=result.roles_in_words(lost),
                    kept=result.roles_in_words(current & wanted.roles),
                )
            )
        else:
            result.unchanged.append(person)

    for email, person in people.items():
        if person.is_active and email not in mentioned:
            # Never lock out the person importing, nor a trust administrator.
            roles = [role for role, _ in result.current_roles.get(person.pk, {})]  # read already: no query
            deactivatable = permissions.can_be_deactivated_by_import(person, importer=importer, roles=roles)
            (result.missing if deactivatable else result.kept).append(person)
    result.active_count = sum(1 for person in people.values() if person.is_active)
    result.missing.sort(key=lambda p: (p.full_name, p.email))
    return result
