"""Importing people from HR's CSV: what the preview says, what confirming writes, and what it never does."""

import pytest
from django.core.exceptions import ValidationError

from symphony_portal.trust import people_import, services
from symphony_portal.trust.models import Kind, PeopleImport, Role, RoleAssignment, RoleChange, User
from symphony_portal.trust.people_import import decode, plan
from tests.builders import make_person
from tests.trust.importing import csv_of, import_now

pytestmark = pytest.mark.django_db

NINA = "nina.gordon@symphony.test,Nina Gordon,employee,Harmony Primary School,,Year 3 Teacher"
OMAR = "omar.haddad@symphony.test,Omar Haddad,employee,,,HR Officer"


def test_it_previews_without_writing_anything(hr, harmony, teacher):
    text = csv_of(NINA, "tess.teacher@symphony.test,Tess Teacher,employee,harmony-primary,,Year 5 Teacher")
    users_before = User.objects.count()
    result = plan(text, importer=hr)
    assert [row.email for row in result.to_create] == ["nina.gordon@symphony.test"]
    assert [(u.person, u.changes) for u in result.to_update] == [
        (teacher, ("job title: Year 6 Teacher → Year 5 Teacher",))
    ]
    assert result.problems == [] and result.rows == 2
    assert User.objects.count() == users_before
    pending = services.upload_people_import(text, filename="people.csv", by=hr)
    assert pending.is_pending and User.objects.count() == users_before
    assert User.objects.get(pk=teacher.pk).job_title == "Year 6 Teacher"


def test_it_creates_and_updates_people_when_confirmed(hr, harmony, teacher):
    text = csv_of(
        NINA, OMAR, "TESS.Teacher@Symphony.TEST,Tess Teacher,employee,harmony-primary,,Year 5 Teacher"
    )
    record = import_now(text, by=hr)
    assert (record.created_count, record.updated_count, record.unchanged_count) == (2, 1, 0)
    assert record.status == PeopleImport.Status.IMPORTED and record.imported_at
    nina = User.objects.get(email="nina.gordon@symphony.test")
    assert (nina.full_name, nina.kind, nina.school, nina.job_title) == (
        "Nina Gordon",
        Kind.EMPLOYEE,
        harmony,
        "Year 3 Teacher",
    )
    assert nina.is_active and not nina.has_usable_password()
    assert not RoleAssignment.objects.filter(user__email="omar.haddad@symphony.test").exists()
    teacher.refresh_from_db()
    assert teacher.job_title == "Year 5 Teacher"
    assert User.objects.filter(email__iexact="tess.teacher@symphony.test").count() == 1
    assert set(record.created_people.values_list("email", flat=True)) == {
        nina.email,
        "omar.haddad@symphony.test",
    }
    # Every change is in the history, attributed to HR and to this import.
    latest = teacher.history.first()
    assert latest.history_user == hr and latest.history_change_reason.startswith(f"People import {record.pk}")
    assert nina.history.get().history_user == hr


def test_it_changes_nothing_when_the_same_file_is_imported_again(hr, harmony, crescendo, head):
    text = csv_of(
        NINA, OMAR, "hannah.head@symphony.test,Hannah Head,employee,Harmony Primary School,head_teacher,Head"
    )
    import_now(text, by=hr)
    snapshot = (
        list(User.objects.order_by("pk").values()),
        list(RoleAssignment.objects.order_by("pk").values()),
        User.history.count(),
        RoleAssignment.history.count(),
    )
    again = import_now(text, by=hr)
    assert (again.created_count, again.updated_count, again.deactivated_count, again.unchanged_count) == (
        0,
        0,
        0,
        3,
    )
    assert snapshot == (
        list(User.objects.order_by("pk").values()),
        list(RoleAssignment.objects.order_by("pk").values()),
        User.history.count(),
        RoleAssignment.history.count(),
    )


ROLE_CHANGE_ROWS = [
    # Hannah steps down as Head (her role missing from her row).
    "hannah.head@symphony.test,Hannah Head,employee,Harmony Primary School,,Teacher",
    # Tess becomes Head Teacher (a readable label is fine), HR gives herself the Executive Head's role.
    "tess.teacher@symphony.test,Tess Teacher,employee,Harmony Primary School,Head Teacher,Head Teacher",
    "harriet.hr@symphony.test,Harriet HR,employee,,hr;executive_head,HR Manager",
    # A new person with a role, several separated by semicolons, labels or not.
    'olu@symphony.test,Olu,employee,,"hr; Executive Head Teacher",Director',
    "cora@symphony.test,Cora,trustee,,chair,Chair",
]


@pytest.mark.parametrize("row", ROLE_CHANGE_ROWS)
def test_it_refuses_every_change_of_a_guarded_role_and_changes_nothing(hr, harmony, head, teacher, row):
    text = csv_of(NINA, row)
    [problem] = plan(text, importer=hr).problems
    assert problem.row == 3
    assert (
        "role changes for Heads, the Executive Head, the Chair and HR are made by a trust administrator"
        in problem.reason
    )
    roles_before = sorted(RoleAssignment.objects.values_list("user_id", "role", "school_id"))
    users_before = list(User.objects.order_by("pk").values())
    pending = services.upload_people_import(text, filename="people.csv", by=hr)
    with pytest.raises(ValidationError, match="Nothing was imported"):
        services.confirm_people_import(pending, deactivate_missing=True, by=hr)
    assert sorted(RoleAssignment.objects.values_list("user_id", "role", "school_id")) == roles_before
    assert list(User.objects.order_by("pk").values()) == users_before
    assert not RoleChange.objects.exists()


def test_it_accepts_rows_whose_roles_are_those_held_already(hr, harmony, head, exec_head):
    text = csv_of(
        "hannah.head@symphony.test,Hannah Head,employee,Harmony Primary School,Head of School,Head",
        'eve.executive@symphony.test,Eve Executive,employee,,"Executive Head Teacher",Executive Head',
        "harriet.hr@symphony.test,Harriet HR,employee,,HR,HR Manager",
    )
    result = plan(text, importer=hr)
    assert result.problems == [] and len(result.to_update) == 2
    import_now(text, by=hr)
    assert User.objects.get(pk=head.pk).job_title == "Head"
    assert (
        User.objects.get(pk=exec_head.pk).is_executive_head and User.objects.get(pk=head.pk).is_head_teacher
    )


def test_it_refuses_a_role_change_from_the_shell_command_too(hr, harmony, head, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "people.csv"
    path.write_text(csv_of("hannah.head@symphony.test,Hannah Head,employee,Harmony Primary School,,Teacher"))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_people", str(path), "--commit")
    assert User.objects.get(pk=head.pk).is_head_teacher


def test_it_leaves_people_missing_from_the_file_alone_unless_asked(hr, harmony, teacher, colleague):
    text = csv_of("tess.teacher@symphony.test,Tess Teacher,employee,Harmony Primary School,,Year 6 Teacher")
    preview = plan(text, importer=hr)
    assert {p.pk for p in preview.missing} == {colleague.pk}
    record = import_now(text, by=hr)
    assert record.deactivated_count == 0 and User.objects.get(pk=colleague.pk).is_active


def test_it_deactivates_people_missing_from_a_full_import_and_never_deletes_them(
    hr, harmony, teacher, colleague
):
    admin = User.objects.create_superuser("admin@symphony.test", "an-admin-password")
    users_before = User.objects.count()
    text = csv_of("tess.teacher@symphony.test,Tess Teacher,employee,Harmony Primary School,,Year 6 Teacher")
    record = import_now(text, by=hr, deactivate_missing=True)
    assert record.deactivated_count == 1 and record.deactivate_missing
    assert not User.objects.get(pk=colleague.pk).is_active
    assert User.objects.count() == users_before
    # HR doing the import and the technical admin account are never locked out by an import.
    assert User.objects.get(pk=hr.pk).is_active and User.objects.get(pk=admin.pk).is_active
    assert list(User.objects.active().filter(pk=colleague.pk)) == []
    assert User.objects.get(pk=colleague.pk).history.first().history_user == hr


def test_it_makes_a_returning_leaver_active_again(hr, harmony):
    leaver = make_person("Lena Leaver", school=harmony, is_active=False)
    text = csv_of(f"{leaver.email},Lena Leaver,employee,Harmony Primary School,,")
    [update] = plan(text, importer=hr).to_update
    assert update.changes == ("returns: was deactivated, is active again",)
    import_now(text, by=hr)
    assert User.objects.get(pk=leaver.pk).is_active


PROBLEMS = [
    (",Nobody,employee,,,", "The email address is missing."),
    ("not-an-email,Nobody,employee,,,", '"not-an-email" is not a valid email address.'),
    ("a@symphony.test,,employee,,,", "The name is missing."),
    ("a@symphony.test,A,employee,Nowhere School,,", 'There is no school called "Nowhere School"'),
    ("a@symphony.test,A,volunteer,,,", 'The kind is "volunteer": use employee, governor or trustee.'),
    ("a@symphony.test,A,,,,", "The kind is empty: use employee, governor or trustee."),
    ("a@symphony.test,A,employee,,caretaker,", '"caretaker" is not a role'),
    (
        "a@symphony.test,A,employee,,head_teacher,",
        "A Head Teacher / Head of School needs a school in the school column.",
    ),
    ("a@symphony.test,A,employee,Teacher,", "This row has 5 fields where the header has 6."),
    ("a@symphony.test,A,employee,,,Teacher, Year 3", "This row has 7 fields where the header has 6."),
]


@pytest.mark.parametrize(("row", "reason"), PROBLEMS)
def test_it_reports_each_problem_with_its_row_number_and_imports_nothing(hr, harmony, row, reason):
    text = csv_of(NINA, row)
    [problem] = plan(text, importer=hr).problems
    assert problem.row == 3
    assert reason in problem.reason
    pending = services.upload_people_import(text, filename="people.csv", by=hr)
    users_before = User.objects.count()
    with pytest.raises(ValidationError, match="Nothing was imported"):
        services.confirm_people_import(pending, deactivate_missing=True, by=hr)
    assert User.objects.count() == users_before
    assert not User.objects.filter(email="nina.gordon@symphony.test").exists()
    assert PeopleImport.objects.get(pk=pending.pk).is_pending


def test_it_reports_a_duplicate_email_with_the_row_it_repeats(hr, harmony):
    text = csv_of(NINA, OMAR, "NINA.Gordon@symphony.test,Nina G,employee,,,")
    [problem] = plan(text, importer=hr).problems
    assert (problem.row, problem.reason) == (4, "This email address is already on row 2.")


def test_it_does_not_count_a_person_on_a_faulty_row_as_missing(hr, teacher):
    text = csv_of(f"{teacher.email},Tess Teacher,volunteer,,,")
    result = plan(text, importer=hr)
    assert teacher not in result.missing and len(result.problems) == 1


def test_it_refuses_a_file_that_is_not_utf8_and_says_how_to_save_one():
    with pytest.raises(ValidationError, match='"CSV UTF-8') as error:
        decode(csv_of("zoe@symphony.test,Zoë Ávila,employee,,,").encode("cp1252"))
    assert "not saved as UTF-8" in error.value.messages[0]
    with pytest.raises(ValidationError, match="Excel workbook"):
        decode(b"PK\x03\x04" + b"\x00" * 20)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "The file is empty"),
        ("email,name,kind,school\n", "missing: role, job title"),
        ("email,name,kind,school,role,job title,Email\n", 'The column "Email" appears twice'),
    ],
)
def test_it_refuses_a_file_without_the_header_row(hr, text, reason):
    with pytest.raises(ValidationError, match=reason):
        services.upload_people_import(text, filename="people.csv", by=hr)
    assert not PeopleImport.objects.exists()


def test_it_reads_an_excel_csv_with_bom_crlf_and_quoted_commas(hr, harmony):
    text = csv_of(
        'nina.gordon@symphony.test,"Gordon, Nina",Employee,Harmony Primary School,,"Teacher, Year 3"',
        'omar.haddad@symphony.test,Omar Haddad,EMPLOYEE,,,"HR Officer ""people"""',
        "",
        newline="\r\n",
    )
    data = ("\ufeff" + text).encode("utf-8")
    record = import_now(decode(data), by=hr)
    assert record.created_count == 2
    nina = User.objects.get(email="nina.gordon@symphony.test")
    assert (nina.full_name, nina.job_title) == ("Gordon, Nina", "Teacher, Year 3")
    assert User.objects.get(email="omar.haddad@symphony.test").job_title == 'HR Officer "people"'


def test_it_reads_columns_in_another_order(hr, harmony):
    text = csv_of(
        "Nina Gordon,Year 3 Teacher,harmony-primary,Employee,,nina.gordon@symphony.test,unused",
        header="Full Name,Job Title,School,Kind,Role,Email,Notes",
    )
    result = plan(text, importer=hr)
    assert result.ignored_columns == ("Notes",)
    [row] = result.to_create
    assert (row.email, row.full_name, row.school, row.job_title) == (
        "nina.gordon@symphony.test",
        "Nina Gordon",
        harmony,
        "Year 3 Teacher",
    )


def test_it_accepts_the_example_file_shipped_in_fixtures(hr, harmony, crescendo):
    from tests.conftest import ROOT

    text = decode((ROOT / "fixtures" / "people_example.csv").read_bytes())
    result = plan(text, importer=hr)
    assert result.problems == [] and len(result.to_create) == 6


def big_file(n: int, harmony, crescendo) -> str:
    """``n`` rows: a fifth update existing people (and move school), a tenth leave, the rest are new."""
    existing = [
        User(email=f"existing{i}@symphony.test", full_name=f"Existing {i}", school=harmony)
        for i in range(n // 5)
    ]
    leavers = [User(email=f"leaver{i}@symphony.test", full_name=f"Leaver {i}") for i in range(n // 10)]
    User.objects.bulk_create(existing + leavers)
    rows = [
        f"existing{i}@symphony.test,Existing {i},employee,crescendo-academy,,Moved" for i in range(n // 5)
    ]
    for i in range(n - n // 5):
        role = ""  # roles are granted by a trust administrator, never by the import
        school = "Harmony Primary School" if i % 2 else "crescendo-academy"
        rows.append(f"new{i}@symphony.test,New Person {i},employee,{school},{role},Teacher")
    return csv_of(*rows)


# The same bound for 50 and 500 rows: the queries depend on the batches, not on the rows. A batch is up
# to 500 rows on PostgreSQL; SQLite caps a query at 999 parameters (about 80 people), so 500 rows take a
# few more batches there. The invitations are outbox rows written in batches in the import's transaction
# (which runs in a task, off the request). A query per row would break this bound tenfold.
QUERY_BOUND = 45


@pytest.mark.parametrize("n", [50, 500])
def test_it_imports_in_a_constant_number_of_queries(hr, harmony, crescendo, n, django_assert_max_num_queries):
    text = big_file(n, harmony, crescendo)
    pending = services.upload_people_import(text, filename="people.csv", by=hr)
    with django_assert_max_num_queries(4):
        preview = plan(text, importer=hr)
    assert len(preview.to_create) == n - n // 5 and len(preview.to_update) == n // 5
    with django_assert_max_num_queries(QUERY_BOUND):
        record = services.confirm_people_import(
            pending, deactivate_missing=True, by=hr, confirmed_deactivate_count=len(preview.missing)
        )
    assert record.created_count == n - n // 5 and record.updated_count == n // 5
    assert record.deactivated_count == n // 10
    assert User.objects.filter(email__startswith="existing", school=crescendo).count() == n // 5
    assert not RoleAssignment.objects.filter(role=Role.HEAD_TEACHER).exists()


def test_it_keeps_the_upload_limit_at_two_megabytes():
    assert people_import.MAX_UPLOAD_BYTES == 2 * 1024 * 1024


def test_it_lists_all_the_problems_of_a_row_and_guesses_no_role_change_from_an_unreadable_role(
    hr, harmony, head
):
    text = csv_of(f"{head.email},,volunteer,Atlantis,head_teacher,")
    [problem] = plan(text, importer=hr).problems
    assert problem.reasons == (
        "The name is missing.",
        'The kind is "volunteer": use employee, governor or trustee.',
        'There is no school called "Atlantis". Use a school\'s name or short name exactly as in the portal, '
        "or leave it empty for the central trust team.",
    )
    assert problem.gained == problem.lost == ()  # the Head's role is not "lost": the school was unreadable


def test_it_says_which_roles_a_row_would_give_or_take_away(hr, harmony, head, teacher):
    text = csv_of(
        "new.hr@symphony.test,New Hr,employee,,hr;chair_of_trustees,",
        f"{head.email},Hannah Head,employee,harmony-primary,hr,Head Teacher",
    )
    new_hr, head_row = plan(text, importer=hr).problems
    assert (new_hr.gained, new_hr.lost) == (("Chair of Trustees", "HR"), ())
    assert head_row.gained == ("HR",)
    assert head_row.lost == ("Head Teacher / Head of School (Harmony Primary School)",)
    assert "are made by a trust administrator" in head_row.reason
