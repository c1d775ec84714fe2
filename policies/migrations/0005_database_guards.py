"""The database's own refusal of what must never happen to adopted policy text and permanent records.

Check constraints (both databases): an adopted version has its adopted title; a superseded one names its
successor. On PostgreSQL, triggers (a no-op on SQLite, where the ORM guard in policies.models holds):

- an adopted version can only go from published to superseded, with a successor of the same policy and
  nothing else changed; it can never be deleted; at commit, the successor it names must be adopted;
- sections and clauses of an adopted version (or moved into one) can't be inserted, updated or deleted;
- review reminders sent and export records can't be updated or deleted;
- none of these tables can be truncated, except when the test suite empties its database: that sets
  ``symphony.allow_truncate`` for its own transaction only (tests/db_flush.py).

The functions ``symphony_refuse_truncate`` and ``symphony_append_only`` are shared by the other apps'
guards (acknowledgements, reports).
"""

from django.db import migrations, models

from symphony_portal.lib.records import PostgresOnlySQL

# Every refusal is raised as SQLSTATE 23000 (integrity_constraint_violation): Django's IntegrityError.
FUNCTIONS = """
CREATE OR REPLACE FUNCTION symphony_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The one escape: the test suite emptying its own database (tests/db_flush.py) sets this with
    -- SET LOCAL, so it lasts for that transaction only.
    IF current_setting('symphony.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'symphony: TRUNCATE of % refused: it holds permanent records', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE OR REPLACE FUNCTION symphony_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'symphony: % on % refused: a permanent record cannot be changed or deleted',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE OR REPLACE FUNCTION symphony_version_is_adopted(version bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    found_status varchar;
BEGIN
    IF version IS NULL THEN
        RETURN false;
    END IF;
    -- FOR SHARE waits for a publication in progress, then reads the status it committed.
    SELECT status INTO found_status FROM policies_policyversion WHERE id = version FOR SHARE;
    RETURN coalesce(found_status <> 'draft', false);
END $$;

CREATE OR REPLACE FUNCTION symphony_policyversion_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    superseding text[] := ARRAY['status', 'superseded_at', 'superseded_by_id'];
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'symphony: DELETE of adopted policy version % refused', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'draft' THEN
        RETURN NEW;
    END IF;
    -- The one change an adopted version may take: published -> superseded by a version of its policy.
    IF OLD.status = 'published' AND NEW.status = 'superseded'
       AND NEW.superseded_at IS NOT NULL
       AND NEW.superseded_by_id IS NOT NULL AND NEW.superseded_by_id <> OLD.id
       AND (to_jsonb(NEW) - superseding) = (to_jsonb(OLD) - superseding)
       AND EXISTS (SELECT 1 FROM policies_policyversion successor
                   WHERE successor.id = NEW.superseded_by_id AND successor.policy_id = OLD.policy_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'symphony: UPDATE of adopted policy version % refused: it can only be superseded '
        'by its successor', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE OR REPLACE FUNCTION symphony_policyversion_successor_adopted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM policies_policyversion successor
                   WHERE successor.id = NEW.superseded_by_id AND successor.status <> 'draft') THEN
        RAISE EXCEPTION 'symphony: policy version % is superseded but its successor % was not published',
            NEW.id, NEW.superseded_by_id
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION symphony_section_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND symphony_version_is_adopted(OLD.version_id) THEN
        RAISE EXCEPTION 'symphony: % of a section of adopted policy version % refused',
            TG_OP, OLD.version_id
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND symphony_version_is_adopted(NEW.version_id) THEN
        RAISE EXCEPTION 'symphony: % of a section into adopted policy version % refused',
            TG_OP, NEW.version_id
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION symphony_clause_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND symphony_version_is_adopted(OLD.version_id) THEN
        RAISE EXCEPTION 'symphony: % of a clause of adopted policy version % refused',
            TG_OP, OLD.version_id
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND (
        symphony_version_is_adopted(NEW.version_id)
        OR symphony_version_is_adopted((SELECT version_id FROM policies_section WHERE id = NEW.section_id))
    ) THEN
        RAISE EXCEPTION 'symphony: % of a clause into adopted policy version % refused',
            TG_OP, NEW.version_id
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
"""

TRIGGERS = """
CREATE TRIGGER symphony_guard BEFORE UPDATE OR DELETE ON policies_policyversion
    FOR EACH ROW EXECUTE FUNCTION symphony_policyversion_guard();
CREATE CONSTRAINT TRIGGER symphony_successor_adopted AFTER INSERT OR UPDATE ON policies_policyversion
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.status = 'superseded') EXECUTE FUNCTION symphony_policyversion_successor_adopted();
CREATE TRIGGER symphony_guard BEFORE INSERT OR UPDATE OR DELETE ON policies_section
    FOR EACH ROW EXECUTE FUNCTION symphony_section_guard();
CREATE TRIGGER symphony_guard BEFORE INSERT OR UPDATE OR DELETE ON policies_clause
    FOR EACH ROW EXECUTE FUNCTION symphony_clause_guard();
CREATE TRIGGER symphony_guard BEFORE UPDATE OR DELETE ON policies_reviewreminder
    FOR EACH ROW EXECUTE FUNCTION symphony_append_only();
CREATE TRIGGER symphony_guard BEFORE UPDATE OR DELETE ON policies_policyexport
    FOR EACH ROW EXECUTE FUNCTION symphony_append_only();
""" + "".join(
    f"CREATE TRIGGER symphony_no_truncate BEFORE TRUNCATE ON {table}"
    " FOR EACH STATEMENT EXECUTE FUNCTION symphony_refuse_truncate();\n"
    for table in (
        "policies_policyversion",
        "policies_section",
        "policies_clause",
        "policies_reviewreminder",
        "policies_policyexport",
    )
)

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS symphony_guard ON policies_policyversion;
DROP TRIGGER IF EXISTS symphony_successor_adopted ON policies_policyversion;
DROP TRIGGER IF EXISTS symphony_guard ON policies_section;
DROP TRIGGER IF EXISTS symphony_guard ON policies_clause;
DROP TRIGGER IF EXISTS symphony_guard ON policies_reviewreminder;
DROP TRIGGER IF EXISTS symphony_guard ON policies_policyexport;
""" + "".join(
    f"DROP TRIGGER IF EXISTS symphony_no_truncate ON {table};\n"
    for table in (
        "policies_policyversion",
        "policies_section",
        "policies_clause",
        "policies_reviewreminder",
        "policies_policyexport",
    )
)

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS symphony_clause_guard();
DROP FUNCTION IF EXISTS symphony_section_guard();
DROP FUNCTION IF EXISTS symphony_policyversion_successor_adopted();
DROP FUNCTION IF EXISTS symphony_policyversion_guard();
DROP FUNCTION IF EXISTS symphony_version_is_adopted(bigint);
DROP FUNCTION IF EXISTS symphony_append_only();
DROP FUNCTION IF EXISTS symphony_refuse_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0004_adopted_title_and_successor"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="policyversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status", "draft"), models.Q(("adopted_title", ""), _negated=True), _connector="OR"
                ),
                name="policies_adopted_version_has_title",
            ),
        ),
        migrations.AddConstraint(
            model_name="policyversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "superseded"), _negated=True),
                    ("superseded_by__isnull", False),
                    _connector="OR",
                ),
                name="policies_superseded_version_has_successor",
            ),
        ),
        PostgresOnlySQL(FUNCTIONS, DROP_FUNCTIONS),
        PostgresOnlySQL(TRIGGERS, DROP_TRIGGERS),
    ]
