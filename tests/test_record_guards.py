"""Records that must never change, refused through every ORM side door (both databases) and, on
PostgreSQL, through raw SQL as the portal's own database role (triggers of the migrations).

Guarded: acknowledgements, acknowledgement reminders sent, review reminders sent, export records and a
case's timeline events (append-only); an adopted version, its sections and its clauses (frozen, but for
the one change published -> superseded by its successor); on PostgreSQL, the history of policies and
reports (django-simple-history's tables: added to, never rewritten). Drafts stay freely editable.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from acknowledgements.models import Acknowledgement, Reminder
from acknowledgements.services import acknowledge
from policies import services as policy_services
from policies.models import (
    Clause,
    FrozenVersionError,
    Policy,
    PolicyVersion,
    ReviewReminder,
    Section,
)
from policies.selectors import fingerprint
from reports.models import ConcernReport, ReportEvent
from symphony_portal.lib.records import AppendOnlyError
from tests.builders import make_successor, make_version
from tests.reports.builders import make_report

PUBLISHED = PolicyVersion.Status.PUBLISHED
SUPERSEDED = PolicyVersion.Status.SUPERSEDED
DRAFT = PolicyVersion.Status.DRAFT
pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL's")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


# --- The append-only records ------------------------------------------------------------------------


def _acknowledgement(version, teacher, head, colleague):
    return acknowledge(version, by=teacher)[0]


def _reminder(version, teacher, head, colleague):
    return Reminder.objects.create(recipient=teacher, version=version)


def _review_reminder(version, teacher, head, colleague):
    today = datetime.date(2026, 11, 30)
    return ReviewReminder.objects.create(
        version=version, kind=ReviewReminder.Kind.OVERDUE, due_on=today, sent_on=today, recipients="hr@x"
    )


def _export(version, teacher, head, colleague):
    return policy_services.record_export(
        version, kind="policy_pdf", content=b"%PDF", filename="p.pdf", by=teacher
    )


def _report_event(version, teacher, head, colleague):
    report = make_report(teacher, colleague)
    return ReportEvent.objects.filter(report=report).first()


RECORDS = {
    "acknowledgement": (_acknowledgement, "acknowledgements_acknowledgement"),
    "reminder": (_reminder, "acknowledgements_reminder"),
    "review reminder": (_review_reminder, "policies_reviewreminder"),
    "export": (_export, "policies_policyexport"),
    "report event": (_report_event, "reports_reportevent"),
}


@pytest.fixture(params=list(RECORDS))
def record(request, teacher, head, colleague):
    version = make_version(label="2024-2027")
    make, table = RECORDS[request.param]
    row = make(version, teacher, head, colleague)
    assert row is not None and row.pk
    return row, table


def _still_there(row) -> None:
    model = type(row)
    stored = model._base_manager.filter(pk=row.pk).values().get()
    fresh = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
    assert stored == fresh


def test_it_refuses_every_orm_path_that_changes_or_deletes_a_record(record):
    row, _ = record
    model = type(row)
    field = next(
        f.attname
        for f in model._meta.concrete_fields
        if f.get_internal_type() in ("DateTimeField",) and f.attname != "id"
    )
    same = model._base_manager.filter(pk=row.pk)
    attempts = {
        "save": lambda: row.save(),
        "save(update_fields)": lambda: row.save(update_fields=[field]),
        "delete": lambda: row.delete(),
        "QuerySet.update": lambda: model.objects.filter(pk=row.pk).update(**{field: timezone.now()}),
        "QuerySet.delete": lambda: model.objects.filter(pk=row.pk).delete(),
        "_base_manager.update": lambda: model._base_manager.filter(pk=row.pk).update(
            **{field: timezone.now()}
        ),
        "_base_manager.delete": lambda: model._base_manager.filter(pk=row.pk).delete(),
        "_raw_delete": lambda: same._raw_delete(same.db),
        "bulk_update": lambda: model.objects.bulk_update([row], [field]),
        "_update": lambda: same._update([(model._meta.get_field(field), None, timezone.now())]),
    }
    for name, attempt in attempts.items():
        with pytest.raises(AppendOnlyError), transaction.atomic():
            attempt()
        _still_there(row)
        assert model._base_manager.filter(pk=row.pk).exists(), name


def test_it_refuses_to_delete_a_report_with_its_timeline(teacher, head, colleague):
    report = make_report(teacher, colleague)
    with pytest.raises(Exception) as raised, transaction.atomic():
        report.delete()
    assert type(raised.value).__name__ in ("ProtectedError", "RestrictedError")
    assert ConcernReport.objects.filter(pk=report.pk).exists()
    assert ReportEvent.objects.filter(report=report).count() == 2


# --- Adopted versions, their sections and clauses --------------------------------------------------


@pytest.fixture(params=[PUBLISHED, SUPERSEDED])
def adopted(request, db):
    return make_version(status=request.param, sections={"Purpose": ["Original wording."], "Scope": ["All."]})


@pytest.fixture
def draft_of(db):
    def make(version):
        return make_version(
            policy=version.policy, label="next draft", status=DRAFT, sections={"New": ["Draft."]}
        )

    return make


def _text(version) -> list:
    return list(
        Clause._base_manager.filter(version=version)
        .order_by("section__position", "position")
        .values_list("section__heading", "text")
    )


def test_it_refuses_every_orm_path_into_an_adopted_version(adopted, draft_of):
    before, label = _text(adopted), adopted.label
    section = Section.objects.filter(version=adopted).first()
    clause = Clause.objects.filter(version=adopted).first()
    draft = draft_of(adopted)
    draft_clause = Clause.objects.get(version=draft)
    draft_section = Section.objects.get(version=draft)

    def moved_by_save():
        draft_clause.section = section  # into a section of the adopted version, keeping its own version
        draft_clause.save()

    def moved_with_version_by_save():
        draft_clause.section, draft_clause.version = section, adopted
        draft_clause.save()

    def raw_delete(qs):
        return qs._raw_delete(qs.db)

    def changed_clause():
        clause.text = "Tampered."
        return clause

    attempts = {
        "version save": lambda: PolicyVersion.objects.get(pk=adopted.pk).save(),
        "version delete": lambda: PolicyVersion.objects.get(pk=adopted.pk).delete(),
        "version update": lambda: PolicyVersion.objects.filter(pk=adopted.pk).update(label="x"),
        "version base update": lambda: PolicyVersion._base_manager.filter(pk=adopted.pk).update(label="x"),
        "version base delete": lambda: PolicyVersion._base_manager.filter(pk=adopted.pk).delete(),
        "version raw delete": lambda: raw_delete(PolicyVersion.objects.filter(pk=adopted.pk)),
        "version bulk_update": lambda: PolicyVersion.objects.bulk_update(
            [PolicyVersion(pk=adopted.pk, policy=adopted.policy, label="x")], ["label"]
        ),
        "version _update": lambda: PolicyVersion._base_manager.filter(pk=adopted.pk)._update(
            [(PolicyVersion._meta.get_field("label"), None, "x")]
        ),
        "clause _update": lambda: Clause._base_manager.filter(pk=clause.pk)._update(
            [(Clause._meta.get_field("text"), None, "x")]
        ),
        "draft clause moved by _update": lambda: Clause._base_manager.filter(pk=draft_clause.pk)._update(
            [(Clause._meta.get_field("section"), None, section.pk)]
        ),
        "clause save": lambda: changed_clause().save(),
        "clause delete": lambda: Clause.objects.get(pk=clause.pk).delete(),
        "clause update": lambda: Clause.objects.filter(pk=clause.pk).update(text="x"),
        "clause base update": lambda: Clause._base_manager.filter(pk=clause.pk).update(text="x"),
        "clause base delete": lambda: Clause._base_manager.filter(version=adopted).delete(),
        "clause raw delete": lambda: raw_delete(Clause.objects.filter(version=adopted)),
        "clause bulk_update": lambda: Clause.objects.bulk_update([changed_clause()], ["text"]),
        "clause bulk_create": lambda: Clause.objects.bulk_create(
            [Clause(version=adopted, section=section, position=9, text="Sneaked in.")]
        ),
        "clause create": lambda: Clause.objects.create(
            version=adopted, section=section, position=9, text="x"
        ),
        "draft clause moved by save()": moved_by_save,
        "draft clause moved with its version": moved_with_version_by_save,
        "update(section=...)": lambda: Clause.objects.filter(pk=draft_clause.pk).update(section=section),
        "update(section_id=...)": lambda: Clause.objects.filter(pk=draft_clause.pk).update(
            section_id=section.pk
        ),
        "update(version=...)": lambda: Clause.objects.filter(pk=draft_clause.pk).update(version=adopted),
        "update(section=F(...))": lambda: Clause.objects.filter(pk=draft_clause.pk).update(
            section_id=F("pk")
        ),
        "section moved in by update": lambda: Section.objects.filter(pk=draft_section.pk).update(
            version=adopted
        ),
        "section save": lambda: Section.objects.get(pk=section.pk).save(),
        "section delete": lambda: Section.objects.get(pk=section.pk).delete(),
        "section update": lambda: Section.objects.filter(pk=section.pk).update(heading="x"),
        "section base delete": lambda: Section._base_manager.filter(version=adopted).delete(),
        "section raw delete": lambda: raw_delete(Section.objects.filter(version=adopted)),
        "section bulk_create": lambda: Section.objects.bulk_create([Section(version=adopted, position=9)]),
    }
    for name, attempt in attempts.items():
        with pytest.raises(FrozenVersionError), transaction.atomic():
            attempt()
        draft_clause.refresh_from_db()
        assert draft_clause.version_id == draft.pk and draft_clause.section_id == draft_section.pk, name
        assert _text(adopted) == before, name
        assert PolicyVersion.objects.get(pk=adopted.pk).label == label, name


def test_it_refuses_to_mark_a_version_superseded_without_its_successor():
    version = make_version(status=PUBLISHED)
    other_policy = make_version(status=PUBLISHED)
    version.status, version.superseded_at = SUPERSEDED, timezone.now()
    with pytest.raises(FrozenVersionError):
        version.save(update_fields=["status", "superseded_at"])  # no successor named
    version.superseded_by = version
    with pytest.raises(FrozenVersionError):
        version.save(update_fields=["status", "superseded_at", "superseded_by"])  # itself
    version.superseded_by = other_policy
    with pytest.raises(FrozenVersionError):
        version.save(update_fields=["status", "superseded_at", "superseded_by"])  # another policy's
    with pytest.raises(FrozenVersionError):
        PolicyVersion.objects.filter(pk=version.pk).update(status=SUPERSEDED)
    fields = [PolicyVersion._meta.get_field(name) for name in ("status", "superseded_at", "superseded_by")]
    with pytest.raises(FrozenVersionError):  # save()'s own UPDATE, called directly with another policy's
        PolicyVersion._base_manager.filter(pk=version.pk)._update(
            list(zip(fields, [None] * 3, [SUPERSEDED, timezone.now(), other_policy.pk], strict=True))
        )
    assert PolicyVersion.objects.get(pk=version.pk).status == PUBLISHED


def test_it_refuses_a_superseded_version_without_a_successor_in_the_database_too():
    """The check constraint holds on both databases, whatever path wrote the row."""
    version = make_version(status=DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyVersion.objects.filter(pk=version.pk).update(status=SUPERSEDED, adopted_title="T")
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyVersion.objects.filter(pk=version.pk).update(status=PUBLISHED)  # no adopted title


def test_it_lets_a_published_version_be_superseded_by_its_successor_and_nothing_else():
    version = make_version(status=PUBLISHED, label="2016-2019")
    successor = make_successor(version, label="2019-2022")
    version.refresh_from_db()
    assert version.is_superseded and version.superseded_by == successor and successor.is_published
    version.status = PUBLISHED
    with pytest.raises(FrozenVersionError):
        version.save(update_fields=["status"])
    assert PolicyVersion.objects.get(pk=version.pk).is_superseded


def test_it_keeps_the_title_a_version_was_adopted_under(hr):
    version = make_version(status=PUBLISHED, label="2016-2019")
    adopted_as = version.title
    print_before = fingerprint(version)
    Policy.objects.filter(pk=version.policy_id).update(title="Renamed Policy")  # the policy stays editable
    version = PolicyVersion.objects.get(pk=version.pk)
    assert version.title == adopted_as and str(version) == f"{adopted_as} 2016-2019"
    assert fingerprint(version) == print_before
    with pytest.raises(FrozenVersionError):
        PolicyVersion.objects.filter(pk=version.pk).update(adopted_title="Renamed Policy")


def test_it_lets_drafts_be_changed_by_every_path():
    draft = make_version(status=DRAFT, sections={"Purpose": ["Old."]})
    clause = Clause.objects.get(version=draft)
    Clause.objects.filter(pk=clause.pk).update(text="New.")
    Clause._base_manager.filter(pk=clause.pk).update(text="Newer.")
    newest = Clause(pk=clause.pk, version=draft, section=clause.section, text="Newest.")
    Clause.objects.bulk_update([newest], ["text"])
    assert Clause.objects.get(pk=clause.pk).text == "Newest."
    PolicyVersion.objects.filter(pk=draft.pk).update(label="renamed")
    Clause.objects.filter(version=draft).delete()
    Section.objects.filter(version=draft).delete()
    draft.delete()
    assert not PolicyVersion.objects.filter(pk=draft.pk).exists()


# --- Raw SQL on PostgreSQL ---------------------------------------------------------------------------


def _refused(sql: str, params=()) -> str:
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(raised.value)


@on_postgres
@pytest.mark.postgres
def test_it_refuses_raw_sql_changes_to_every_append_only_table(record):
    row, table = record
    with connection.cursor() as cursor:  # the test's own inserts leave deferred checks that block TRUNCATE
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert "refused" in _refused(f"UPDATE {table} SET id = id WHERE id = %s", [row.pk])  # noqa: S608
    assert "refused" in _refused(f"DELETE FROM {table} WHERE id = %s", [row.pk])  # noqa: S608
    assert "TRUNCATE" in _refused(f"TRUNCATE {table} CASCADE")
    assert type(row)._base_manager.filter(pk=row.pk).exists()


@on_postgres
@pytest.mark.postgres
def test_it_refuses_raw_sql_changes_to_an_adopted_version_and_its_text(adopted):
    before = _text(adopted)
    section = Section.objects.filter(version=adopted).first()
    clause = Clause.objects.filter(version=adopted).first()
    draft = make_version(policy=adopted.policy, label="raw draft", status=DRAFT, sections={"X": ["Draft."]})
    draft_clause = Clause.objects.get(version=draft)
    statements = [
        ("UPDATE policies_policyversion SET label = 'x' WHERE id = %s", [adopted.pk]),
        ("UPDATE policies_policyversion SET adopted_title = 'x' WHERE id = %s", [adopted.pk]),
        ("UPDATE policies_policyversion SET status = 'draft' WHERE id = %s", [adopted.pk]),
        ("DELETE FROM policies_policyversion WHERE id = %s", [adopted.pk]),
        ("UPDATE policies_clause SET text = 'x' WHERE id = %s", [clause.pk]),
        ("DELETE FROM policies_clause WHERE id = %s", [clause.pk]),
        ("UPDATE policies_section SET heading = 'x' WHERE id = %s", [section.pk]),
        ("DELETE FROM policies_section WHERE id = %s", [section.pk]),
        (
            "INSERT INTO policies_clause (version_id, section_id, key, position, style, text, revision)"
            " VALUES (%s, %s, gen_random_uuid(), 9, 'paragraph', 'Sneaked in.', 1)",
            [adopted.pk, section.pk],
        ),
        ("UPDATE policies_clause SET section_id = %s WHERE id = %s", [section.pk, draft_clause.pk]),
        ("UPDATE policies_clause SET version_id = %s WHERE id = %s", [adopted.pk, draft_clause.pk]),
        ("TRUNCATE policies_clause CASCADE", []),
        ("TRUNCATE policies_section CASCADE", []),
        ("TRUNCATE policies_policyversion CASCADE", []),
    ]
    with connection.cursor() as cursor:  # the test's own inserts leave deferred checks that block TRUNCATE
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for sql, params in statements:
        assert "refused" in _refused(sql, params), sql
    assert _text(adopted) == before
    assert Clause.objects.get(pk=draft_clause.pk).version_id == draft.pk


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_refuses_in_raw_sql_a_version_superseded_without_a_published_successor():
    version = make_version(status=PUBLISHED, label="2016-2019")
    draft = make_version(policy=version.policy, label="2019-2022", status=DRAFT)
    other = make_version(status=PUBLISHED)
    supersede = "UPDATE policies_policyversion SET status = 'superseded', superseded_at = now()"
    assert "refused" in _refused(supersede + " WHERE id = %s", [version.pk])  # no successor: check fails
    assert "refused" in _refused(supersede + ", superseded_by_id = %s WHERE id = %s", [other.pk, version.pk])
    # Naming a draft that is never published is refused when the transaction commits.
    with (
        pytest.raises(DatabaseError, match="was not published"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(supersede + ", superseded_by_id = %s WHERE id = %s", [draft.pk, version.pk])
    assert PolicyVersion.objects.get(pk=version.pk).is_published


@on_postgres
@pytest.mark.postgres
def test_it_lets_raw_sql_change_a_draft():
    draft = make_version(status=DRAFT, sections={"Purpose": ["Old."]})
    clause = Clause.objects.get(version=draft)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE policies_clause SET text = 'New.' WHERE id = %s", [clause.pk])
        cursor.execute("UPDATE policies_section SET heading = 'Aim' WHERE version_id = %s", [draft.pk])
        cursor.execute("UPDATE policies_policyversion SET label = 'renamed' WHERE id = %s", [draft.pk])
    assert Clause.objects.get(pk=clause.pk).text == "New."
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM policies_clause WHERE version_id = %s", [draft.pk])
        cursor.execute("DELETE FROM policies_section WHERE version_id = %s", [draft.pk])
        cursor.execute("DELETE FROM policies_policyversion WHERE id = %s", [draft.pk])
    assert not PolicyVersion.objects.filter(pk=draft.pk).exists()


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_lets_only_the_test_flush_truncate_and_only_in_its_own_transaction(teacher):
    version = make_version(status=PUBLISHED)
    acknowledge(version, by=teacher)
    acknowledgement_table = Acknowledgement._meta.db_table
    assert "TRUNCATE" in _refused(f"TRUNCATE {acknowledgement_table}, policies_clause CASCADE")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL symphony.allow_truncate = 'on'")
        cursor.execute("SELECT current_setting('symphony.allow_truncate')")
        assert cursor.fetchone() == ("on",)
    with connection.cursor() as cursor:  # the escape ended with its transaction
        cursor.execute("SELECT coalesce(current_setting('symphony.allow_truncate', true), '')")
        assert cursor.fetchone()[0] in ("", "off")
    assert "TRUNCATE" in _refused("TRUNCATE policies_clause CASCADE")
    assert Clause.objects.filter(version=version).exists()
    assert Acknowledgement.objects.count() == 1
    # The test flush itself (tests/db_flush.py) goes through: pytest-django's teardown proves it, and so:
    connection.ops.execute_sql_flush([f"TRUNCATE {acknowledgement_table}"])
    assert not Acknowledgement.objects.exists()


def test_it_reports_refusals_as_validation_errors_with_a_clear_message(adopted):
    with pytest.raises(ValidationError) as raised:
        Clause.objects.filter(version=adopted).update(text="x")
    assert "Start a new draft version" in raised.value.messages[0]


@on_postgres
@pytest.mark.postgres
def test_it_refuses_in_sql_an_acknowledgement_of_a_version_not_live_or_of_another_text(teacher, colleague):
    old = make_version(status=PUBLISHED, label="2016-2019", sections={"Purpose": ["Be kind."]})
    record = acknowledge(old, by=teacher)[0]  # the database computed the same fingerprint as Python
    assert record.fingerprint == fingerprint(old)
    insert = (
        "INSERT INTO acknowledgements_acknowledgement (person_id, version_id, acknowledged_at, kind,"
        " school_name, role_labels, job_title, statement, fingerprint)"
        " VALUES (%s, %s, now(), 'employee', '', '', '', 'I have read it.', %s)"
    )
    assert "fingerprint is not" in _refused(insert, [colleague.pk, old.pk, "0" * 64])
    new = make_successor(old, label="2019-2022", sections={"Purpose": ["Be kinder."]})
    assert "not the live version" in _refused(insert, [colleague.pk, old.pk, fingerprint(old)])
    with connection.cursor() as cursor:
        cursor.execute(insert, [colleague.pk, new.pk, fingerprint(new)])
    assert Acknowledgement.objects.filter(person=colleague, version=new).exists()


# --- History of clauses and reports (PostgreSQL) ---------------------------------------------------


@on_postgres
@pytest.mark.postgres
def test_every_historical_table_of_policies_and_reports_is_guarded():
    """A history table added later (a new model with HistoricalRecords) without its triggers fails here."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, array_agg(t.tgname ORDER BY t.tgname) FROM pg_class c"
            " LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND t.tgname LIKE 'symphony_%%'"
            " WHERE c.relkind = 'r' AND (c.relname LIKE 'policies_historical%%'"
            " OR c.relname LIKE 'reports_historical%%') GROUP BY c.relname"
        )
        triggers = dict(cursor.fetchall())
    assert len(triggers) == 11
    assert all(names == ["symphony_guard", "symphony_no_truncate"] for names in triggers.values()), triggers


@on_postgres
@pytest.mark.postgres
def test_it_refuses_raw_sql_changes_to_the_history_of_clauses_and_reports(teacher, head, colleague):
    draft = make_version(status=DRAFT, sections={"Purpose": ["Old."]})
    clause = Clause.objects.get(version=draft)
    clause.text = "New."
    clause.save()  # editing a draft still adds to its history
    assert list(clause.history.order_by("history_id").values_list("text", flat=True)) == ["Old.", "New."]
    report = make_report(teacher, colleague)
    rows = {
        "policies_historicalclause": clause.history.earliest("history_id").history_id,
        "policies_historicalpolicyversion": draft.history.earliest("history_id").history_id,
        "reports_historicalconcernreport": report.history.earliest("history_id").history_id,
        "reports_historicalreportevent": ReportEvent.history.filter(report_id=report.pk)
        .earliest("history_id")
        .history_id,
    }
    with connection.cursor() as cursor:  # the test's own inserts leave deferred checks that block TRUNCATE
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table, history_id in rows.items():
        update = f"UPDATE {table} SET history_user_id = NULL WHERE history_id = %s"  # noqa: S608
        assert "refused" in _refused(update, [history_id]), table
        assert "refused" in _refused(f"DELETE FROM {table} WHERE history_id = %s", [history_id]), table  # noqa: S608
        assert "TRUNCATE" in _refused(f"TRUNCATE {table}"), table
    assert clause.history.count() == 2
    assert report.history.exists()


@on_postgres
@pytest.mark.postgres
def test_a_person_who_wrote_history_cannot_be_deleted_only_deactivated(hr):
    """Deleting them would blank out who made the change (history_user is SET_NULL): refused instead."""
    draft = make_version(status=DRAFT, sections={"Purpose": ["Old."]})
    clause = Clause.objects.get(version=draft)
    clause._history_user = hr
    clause.text = "New."
    clause.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        hr.delete()
    hr.is_active = False
    hr.save()
    assert clause.history.latest("history_id").history_user == hr
