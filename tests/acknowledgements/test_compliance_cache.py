"""The compliance pages kept per compliance generation (acknowledgements.compliance_cache): after every kind
of committed change the pages show the new counts at once, whoever made the change and however.

These tests commit (``transaction=True``): the cache is used only outside a transaction, as in a request,
and on PostgreSQL the generation is raised at commit.
"""

import re
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from acknowledgements.compliance_cache import current_generation, local_fragments
from acknowledgements.generation import POSTGRES_FUNCTION, POSTGRES_TRIGGER, WATCHED, create_triggers_sql
from acknowledgements.models import Acknowledgement, ComplianceGeneration, Reminder, statement_for
from acknowledgements.services import acknowledge
from policies.models import Policy, PolicyVersion
from policies.selectors import fingerprint
from symphony_portal.trust.models import Kind, PersonTag, School, Tag, User
from tests.builders import make_person, make_school, make_successor, make_version

pytestmark = pytest.mark.django_db(transaction=True)

OVERVIEW = "/acknowledgements/compliance/"
HARMONY_PAGE = "/acknowledgements/compliance/schools/harmony-primary/"
CRESCENDO_PAGE = "/acknowledgements/compliance/schools/crescendo-academy/"


@pytest.fixture(autouse=True)
def _empty_local_fragments():
    local_fragments.clear()
    yield
    local_fragments.clear()


@pytest.fixture
def version(db) -> PolicyVersion:
    return make_version(label="2024-2027", sections={"Purpose": ["Be kind online."]})


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def without_csrf(html: str) -> str:
    """The page less its CSRF tokens (the layout's sign-out form), which differ at every request."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def harmony_row(html: str) -> str:
    """The overview's row of Harmony Primary School (its counts)."""
    match = re.search(r"Harmony Primary School</a></th>(.*?)</tr>", html, re.S)
    assert match, "no Harmony row"
    return match.group(1)


def acknowledged_cell(html: str) -> str:
    match = re.search(r'<td data-label="Acknowledged">([^<]*)</td>', harmony_row(html))
    return match.group(1) if match else "nobody asked"


# --- The cache is used (so the tests below can fail) ----------------------------------------------------


def test_it_serves_the_second_view_of_the_overview_without_counting_again(client, hr, teacher, version):
    client.force_login(hr)
    first = page(client, OVERVIEW)
    with CaptureQueriesContext(connection) as queries:
        second = page(client, OVERVIEW)
    assert without_csrf(second) == without_csrf(first)
    assert not [q for q in queries if "acknowledgements_acknowledgement" in q["sql"]]
    assert [q for q in queries if "acknowledgements_compliancegeneration" in q["sql"]]


def test_it_never_serves_an_entry_kept_under_another_generation(client, hr, teacher, version):
    client.force_login(hr)
    page(client, OVERVIEW)
    slot = "compliance-fragment:overview:trust"
    key, _html = local_fragments.entries[slot]
    stale_key = key.replace(current_generation(), "stale:0")
    local_fragments.put(slot, stale_key, "<p>Planted under another generation</p>")
    cache.set(slot, (stale_key, "<p>Planted under another generation</p>"))
    assert "Planted" not in page(client, OVERVIEW)
    # ...and the same entry under the current key is served (the test above could fail).
    local_fragments.put(slot, key, "<p>Planted under this generation</p>")
    assert "Planted under this generation" in page(client, OVERVIEW)


def test_it_serves_another_hosts_entry_from_the_shared_cache(client, hr, teacher, version):
    client.force_login(hr)
    first = page(client, OVERVIEW)
    local_fragments.clear()  # another process: nothing of its own yet
    with CaptureQueriesContext(connection) as queries:
        assert without_csrf(page(client, OVERVIEW)) == without_csrf(first)
    assert not [q for q in queries if "acknowledgements_acknowledgement" in q["sql"]]


def test_it_counts_afresh_when_the_generation_row_was_lost(client, hr, teacher, version):
    """A change made while the row is missing raises nothing on SQLite (its trigger is a plain UPDATE) and
    makes the row on PostgreSQL; either way the row is made again under a new epoch, so the page kept
    before is never served again."""
    client.force_login(hr)
    assert acknowledged_cell(page(client, OVERVIEW)).startswith("0 of 1")
    before = current_generation()
    ComplianceGeneration.objects.all().delete()
    acknowledge(version, by=teacher)
    assert acknowledged_cell(page(client, OVERVIEW)).startswith("1 of 1")
    assert current_generation().split(":")[0] != before.split(":")[0]


def test_it_neither_reads_nor_keeps_the_cache_inside_a_transaction(client, hr, teacher, version):
    client.force_login(hr)
    page(client, OVERVIEW)
    with transaction.atomic():
        acknowledge(version, by=teacher)
        # On PostgreSQL the generation is raised only at commit: the transaction counts afresh.
        assert acknowledged_cell(page(client, OVERVIEW)).startswith("1 of 1")
        transaction.set_rollback(True)
    assert acknowledged_cell(page(client, OVERVIEW)).startswith("0 of 1")


# --- Fresh after every kind of change ------------------------------------------------------------------


def test_it_shows_an_acknowledgement_at_once(client, hr, head, teacher, version):
    client.force_login(hr)
    assert acknowledged_cell(page(client, OVERVIEW)).startswith("0 of 2")
    acknowledge(version, by=teacher)
    assert acknowledged_cell(page(client, OVERVIEW)).startswith("1 of 2")
    client.force_login(head)
    assert "1 of 2</strong> acknowledged" in page(client, HARMONY_PAGE)


def test_it_shows_a_person_deactivated_by_a_bulk_update_at_once(
    client, hr, head, teacher, colleague, version
):
    client.force_login(hr)
    assert acknowledged_cell(page(client, OVERVIEW)).startswith("0 of 3")
    assert "Colin Colleague" in page(client, HARMONY_PAGE)
    User.objects.filter(pk=colleague.pk).update(is_active=False)  # no signal, no save()
    assert acknowledged_cell(page(client, OVERVIEW)).startswith("0 of 2")
    assert "Colin Colleague" not in page(client, HARMONY_PAGE)


def test_it_shows_a_person_moved_school_by_a_bulk_update_at_once(
    client, hr, head, teacher, colleague, crescendo, version
):
    client.force_login(hr)
    page(client, OVERVIEW), page(client, HARMONY_PAGE), page(client, CRESCENDO_PAGE)
    User.objects.filter(pk=colleague.pk).update(school=crescendo)
    overview = page(client, OVERVIEW)
    assert acknowledged_cell(overview).startswith("0 of 2")
    assert re.search(r"Crescendo Academy</a></th>\s*<td data-label=\"Acknowledged\">0 of 1 ", overview)
    assert "Colin Colleague" not in page(client, HARMONY_PAGE)
    assert "Colin Colleague" in page(client, CRESCENDO_PAGE)


def test_it_shows_a_tag_given_and_taken_away_at_once(client, hr, teacher, colleague, version):
    tag = Tag.objects.create(name="Works directly with children", slug="children")
    Policy.objects.filter(pk=version.policy_id).update(audience_tag=tag)
    client.force_login(hr)
    assert acknowledged_cell(page(client, OVERVIEW)) == "nobody asked"
    PersonTag.objects.bulk_create([PersonTag(person=teacher, tag=tag), PersonTag(person=colleague, tag=tag)])
    assert acknowledged_cell(page(client, OVERVIEW)).startswith("0 of 2")
    PersonTag.objects.filter(person=colleague).delete()
    assert acknowledged_cell(page(client, OVERVIEW)).startswith("0 of 1")


def test_it_shows_an_audience_change_at_once(client, hr, teacher, governor, crescendo, version):
    client.force_login(hr)
    assert acknowledged_cell(page(client, OVERVIEW)).startswith("0 of 2")
    Policy.objects.filter(pk=version.policy_id).update(for_governors=False)
    assert acknowledged_cell(page(client, OVERVIEW)).startswith("0 of 1")
    # Chosen schools (the through table of the audience's schools): Harmony no longer among them.
    Policy.objects.filter(pk=version.policy_id).update(all_schools=False)
    version.policy.audience_schools.add(crescendo)
    assert acknowledged_cell(page(client, OVERVIEW)) == "nobody asked"
    version.policy.audience_schools.remove(crescendo)
    version.policy.audience_schools.add(School.objects.get(slug="harmony-primary"))
    assert acknowledged_cell(page(client, OVERVIEW)).startswith("0 of 1")


@pytest.mark.parametrize("change", [PolicyVersion.Change.MATERIAL, PolicyVersion.Change.MINOR])
def test_it_shows_a_new_version_at_once(client, hr, teacher, version, change):
    acknowledge(version, by=teacher)
    client.force_login(hr)
    assert acknowledged_cell(page(client, OVERVIEW)).startswith("1 of 1")
    carries = {"carries_over_from": version} if change == PolicyVersion.Change.MINOR else {}
    # What publish() records, without its emails: the old version superseded, the new one live.
    with transaction.atomic():  # one publication: the old version names a successor that is live at commit
        make_successor(
            version, label="2027-2030", sections={"Purpose": ["Be kinder."]}, change=change, **carries
        )
    overview = page(client, OVERVIEW)
    assert "2027-2030" in overview
    expected = "1 of 1" if change == PolicyVersion.Change.MINOR else "0 of 1"
    assert acknowledged_cell(overview).startswith(expected)


def test_it_shows_who_is_overdue_when_the_day_changes(client, hr, teacher, colleague, monkeypatch):
    policy = Policy.objects.create(title="Deadline Policy", slug="deadline-policy", acknowledge_within_days=3)
    make_version(policy=policy, label="2026", published_at=timezone.now())
    User.objects.filter(pk__in=[teacher.pk, colleague.pk]).update(
        date_joined=timezone.now() - timedelta(days=1)
    )
    client.force_login(hr)
    assert re.search(r'<td data-label="Overdue">0</td>', harmony_row(page(client, OVERVIEW)))
    real_localdate = timezone.localdate
    later = real_localdate() + timedelta(days=14)
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: real_localdate(value, tz) if value else later
    )
    assert re.search(r'<td data-label="Overdue">2</td>', harmony_row(page(client, OVERVIEW)))


def test_it_shows_a_reminder_sent_on_a_schools_page_at_once(client, head, teacher, version):
    client.force_login(head)
    assert re.search(r'data-label="Reminders sent">0', page(client, HARMONY_PAGE))
    Reminder.objects.create(recipient=teacher, version=version)
    assert re.search(r'data-label="Reminders sent">1 ', page(client, HARMONY_PAGE))


def test_it_shows_a_renamed_school_at_once(client, hr, teacher, version):
    client.force_login(hr)
    page(client, OVERVIEW)
    School.objects.filter(slug="harmony-primary").update(name="Harmony Junior School")
    assert "Harmony Junior School" in page(client, OVERVIEW)


# --- Scopes never share an entry ------------------------------------------------------------------------


def test_it_never_shows_a_head_another_schools_counts(client, hr, head, other_head, teacher, version):
    make_person("Crispin Crescendo", school=other_head.school)
    client.force_login(hr)
    assert "Crescendo Academy" in page(client, OVERVIEW)
    client.force_login(head)
    mine = page(client, OVERVIEW)
    assert "Harmony Primary School" in mine and "Crescendo Academy" not in mine
    assert "Whole trust" not in mine
    client.force_login(other_head)
    theirs = page(client, OVERVIEW)
    assert "Crescendo Academy" in theirs and "Harmony Primary School" not in theirs
    assert "Crispin Crescendo" in page(client, CRESCENDO_PAGE)
    assert client.get(HARMONY_PAGE).status_code == 404
    client.force_login(head)
    assert "Crispin Crescendo" not in page(client, HARMONY_PAGE)
    assert "Tess Teacher" in page(client, HARMONY_PAGE)


def test_it_refuses_the_pages_to_staff_even_when_they_are_cached(client, hr, teacher, version):
    client.force_login(hr)
    page(client, OVERVIEW), page(client, HARMONY_PAGE)
    client.force_login(teacher)
    assert client.get(OVERVIEW).status_code == 404
    assert client.get(HARMONY_PAGE).status_code == 404


# --- The triggers: every listed table, every way of changing it -----------------------------------------


def _change_each_way(model_label: str, world: dict) -> list:
    """Changes through the model's table that must each raise the generation (insert, update, delete)."""
    teacher, version, harmony = world["teacher"], world["version"], world["harmony"]
    tag = world["tag"]
    changes = {
        "acknowledgements.Acknowledgement": [
            lambda: Acknowledgement.objects.bulk_create(
                [
                    Acknowledgement(
                        person=teacher,
                        version=version,
                        kind=teacher.kind,
                        statement=statement_for(teacher.kind),
                        fingerprint=fingerprint(version),
                    )
                ]
            ),
        ],
        "acknowledgements.Reminder": [
            lambda: Reminder.objects.bulk_create([Reminder(recipient=teacher, version=version)])
        ],
        "trust.User": [
            lambda: make_person("Nina New", school=harmony),
            lambda: User.objects.filter(pk=teacher.pk).update(kind=Kind.GOVERNOR),
            lambda: User.objects.filter(pk=teacher.pk).update(school=None),
            lambda: User.objects.filter(pk=teacher.pk).update(is_active=False),
            lambda: User.objects.filter(pk=teacher.pk).update(date_joined=timezone.now()),
            lambda: User.objects.filter(pk=teacher.pk).update(school_since=timezone.now()),
            lambda: User.objects.filter(pk=teacher.pk).update(full_name="Tess Renamed"),
            lambda: User.objects.filter(pk=teacher.pk).update(job_title="Deputy"),
            lambda: User.objects.filter(email="nina.new@symphony.test").delete(),
        ],
        "trust.PersonTag": [
            lambda: PersonTag.objects.bulk_create([PersonTag(person=teacher, tag=tag)]),
            lambda: PersonTag.objects.filter(person=teacher).update(added_at=timezone.now()),
            lambda: PersonTag.objects.filter(person=teacher).delete(),
        ],
        "trust.Tag": [lambda: Tag.objects.filter(pk=tag.pk).update(name="Renamed tag")],
        "trust.School": [
            lambda: make_school("Allegro School", "allegro"),
            lambda: School.objects.filter(slug="allegro").update(name="Allegro Academy"),
            lambda: School.objects.filter(slug="allegro").delete(),
        ],
        "policies.Policy": [
            lambda: Policy.objects.filter(pk=version.policy_id).update(for_trustees=False),
            lambda: Policy.objects.filter(pk=version.policy_id).update(acknowledge_within_days=7),
        ],
        "policies.Policy_audience_schools": [
            lambda: version.policy.audience_schools.add(harmony),
            lambda: version.policy.audience_schools.remove(harmony),
        ],
        "policies.PolicyVersion": [
            lambda: make_version(policy=version.policy, label="draft", status=PolicyVersion.Status.DRAFT),
            lambda: PolicyVersion.objects.filter(label="draft").update(applies_to="Everyone"),
            lambda: PolicyVersion.objects.filter(label="draft").delete(),
        ],
    }
    return changes[model_label]


def test_every_watched_table_has_its_triggers(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE %s",
                [POSTGRES_TRIGGER + "%"],
            )
        triggers = cursor.fetchall()
    for item in WATCHED:
        names = {name for table, name in triggers if table == item.table}
        if connection.vendor == "sqlite":
            assert {
                f"compliance_generation_{item.table}_{op}" for op in ("insert", "update", "delete")
            } <= names
        else:
            assert POSTGRES_TRIGGER in names and f"{POSTGRES_TRIGGER}_truncate" in names, item.table


def test_the_triggers_are_those_generation_describes(db):
    """The migrations keep frozen copies of the SQL: the database they make is what generation.py says."""
    made = create_triggers_sql(connection.vendor, WATCHED)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'compliance_generation_%'"
            )
            assert sorted(row[0] for row in cursor.fetchall()) == sorted(made)
            assert all("UPDATE acknowledgements_compliancegeneration SET value" in sql for sql in made)
        else:
            cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'symphony_compliance_generation_bump'")
            (source,) = cursor.fetchone()
            assert " ".join(source.split()) in " ".join(POSTGRES_FUNCTION.split())
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE %s", [POSTGRES_TRIGGER + "%"])
            assert cursor.fetchone()[0] == len([s for s in made if "CREATE" in s and "TRIGGER" in s])


@pytest.mark.parametrize("watched", WATCHED, ids=[w.model for w in WATCHED])
def test_each_change_through_a_watched_model_raises_the_generation(watched, teacher, version, harmony):
    world = {
        "teacher": teacher,
        "version": version,
        "harmony": harmony,
        "tag": Tag.objects.create(name="Works directly with children", slug="children"),
    }
    for n, change in enumerate(_change_each_way(watched.model, world)):
        before = current_generation()
        change()
        assert current_generation() != before, f"change {n} through {watched.model} left the generation"


def test_a_sign_in_or_an_unchanged_save_does_not_raise_the_generation(teacher):
    before = current_generation()
    User.objects.filter(pk=teacher.pk).update(last_login=timezone.now())  # what signing in records
    teacher.set_password("a-new-password-2")
    teacher.save()  # every column written, none the pages read changed
    assert current_generation() == before


def test_every_table_the_pages_read_is_watched(client, hr, head, teacher, governor, version, monkeypatch):
    """A table the fragments are made from but no trigger watches would let the cache go stale: this fails
    when the pages start reading one (add it to generation.WATCHED, with a migration)."""
    from acknowledgements import views

    queries = []

    def record_the_fragments_queries(page, scope, today, render):
        with CaptureQueriesContext(connection) as captured:
            html = render()
        queries.extend(captured)
        return html

    monkeypatch.setattr(views, "cached_fragment", record_the_fragments_queries)
    client.force_login(hr)
    for path in (OVERVIEW, HARMONY_PAGE, "/acknowledgements/compliance/central-team/"):
        page(client, path)
    tables = set(connection.introspection.table_names())
    read = {name for q in queries for name in re.findall(r'"(\w+)"', q["sql"]) if name in tables}
    assert {"acknowledgements_acknowledgement", "trust_user"} <= read  # the capture saw the counting
    assert read - {w.table for w in WATCHED} == set()


# --- PostgreSQL: the bump waits for the commit and blocks nobody -----------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (SQLite has one writer)")
def test_a_long_transaction_on_a_person_does_not_hold_up_an_acknowledgement(teacher, colleague, version):
    holding, release = threading.Event(), threading.Event()
    errors = []

    def long_import():
        try:
            with transaction.atomic():
                User.objects.filter(pk=colleague.pk).update(job_title="Imported")
                holding.set()
                release.wait(timeout=30)
        except Exception as error:  # noqa: BLE001 - any error is what the test looks for
            errors.append(error)
        finally:
            connections.close_all()

    before = current_generation()
    worker = threading.Thread(target=long_import)
    worker.start()
    try:
        assert holding.wait(timeout=10)
        done = threading.Event()

        def acknowledging():
            try:
                acknowledge(version, by=teacher)
                done.set()
            finally:
                connections.close_all()

        other = threading.Thread(target=acknowledging)
        other.start()
        other.join(timeout=10)
        assert done.is_set(), "the acknowledgement waited for the other transaction"
        during = current_generation()
        assert during != before  # the acknowledgement's commit raised it
    finally:
        release.set()
        worker.join(timeout=30)
    assert errors == []
    assert current_generation() not in (before, during)  # and so did the long transaction's, at commit


def test_it_reads_the_schools_it_shows_after_the_generation(client, hr, teacher, version, monkeypatch):
    """A school renamed after the page looked up who may see what, but before it read the generation, is
    shown renamed: nothing kept under the new generation was read before it."""
    from acknowledgements import compliance_cache

    real = compliance_cache.current_generation

    def renamed_just_before():
        School.objects.filter(slug="harmony-primary").update(name="Harmony Junior School")
        return real()

    client.force_login(hr)
    monkeypatch.setattr(compliance_cache, "current_generation", renamed_just_before)
    assert "Harmony Junior School" in page(client, OVERVIEW)
    assert "Harmony Junior School" in page(client, HARMONY_PAGE)
    monkeypatch.setattr(compliance_cache, "current_generation", real)
    assert "Harmony Junior School" in page(client, OVERVIEW)
