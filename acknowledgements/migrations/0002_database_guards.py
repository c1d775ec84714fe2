"""Acknowledgements and reminders sent are permanent: guarded base managers, and on PostgreSQL triggers
refusing UPDATE, DELETE and TRUNCATE (functions from policies 0005; a no-op on SQLite).

On PostgreSQL an acknowledgement is also checked as it is inserted: its version must be the live one
(read under a shared lock, so a publication in progress is waited for) and its fingerprint must be the
SHA-256 of that version's text, computed in SQL exactly as policies.selectors.fingerprint does.
"""

from django.db import migrations

from symphony_portal.lib.records import PostgresOnlySQL

TABLES = ("acknowledgements_acknowledgement", "acknowledgements_reminder")

# policies.selectors.canonical_text: an optional "Title: <adopted title>" line, then for each section
# "# <heading>" and its clauses' text, one per line, in order; a version with no lines at all is "\n".
FINGERPRINT_SQL = r"""
CREATE OR REPLACE FUNCTION symphony_version_fingerprint(version bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT encode(sha256(convert_to(
        CASE WHEN v.title_in_fingerprint THEN 'Title: ' || v.adopted_title || E'\n' || coalesce(body.text, '')
             ELSE coalesce(body.text, E'\n') END, 'UTF8')), 'hex')
    FROM policies_policyversion v
    CROSS JOIN LATERAL (
        SELECT string_agg(
            '# ' || s.heading || E'\n' || coalesce(
                (SELECT string_agg(c.text || E'\n', '' ORDER BY c.position, c.id)
                 FROM policies_clause c WHERE c.section_id = s.id), ''),
            '' ORDER BY s.position, s.id) AS text
        FROM policies_section s WHERE s.version_id = v.id
    ) body
    WHERE v.id = version
$$;

CREATE OR REPLACE FUNCTION symphony_acknowledgement_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    found_status varchar;
BEGIN
    SELECT status INTO found_status FROM policies_policyversion WHERE id = NEW.version_id FOR SHARE;
    IF found_status IS DISTINCT FROM 'published' THEN
        RAISE EXCEPTION 'symphony: acknowledgement of policy version % refused: it is not the live version',
            NEW.version_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.fingerprint IS DISTINCT FROM symphony_version_fingerprint(NEW.version_id) THEN
        RAISE EXCEPTION 'symphony: acknowledgement of policy version % refused: its fingerprint is not the '
            'version''s text', NEW.version_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER symphony_check BEFORE INSERT ON acknowledgements_acknowledgement
    FOR EACH ROW EXECUTE FUNCTION symphony_acknowledgement_check();
"""

DROP_FINGERPRINT_SQL = """
DROP TRIGGER IF EXISTS symphony_check ON acknowledgements_acknowledgement;
DROP FUNCTION IF EXISTS symphony_acknowledgement_check();
DROP FUNCTION IF EXISTS symphony_version_fingerprint(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("acknowledgements", "0001_acknowledgements_and_reminders"),
        ("policies", "0005_database_guards"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="acknowledgement",
            options={"base_manager_name": "objects", "ordering": ["-acknowledged_at"]},
        ),
        migrations.AlterModelOptions(
            name="reminder",
            options={"base_manager_name": "objects", "ordering": ["-sent_at"]},
        ),
        PostgresOnlySQL(
            "".join(
                f"CREATE TRIGGER symphony_guard BEFORE UPDATE OR DELETE ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION symphony_append_only();\n"
                f"CREATE TRIGGER symphony_no_truncate BEFORE TRUNCATE ON {table}"
                " FOR EACH STATEMENT EXECUTE FUNCTION symphony_refuse_truncate();\n"
                for table in TABLES
            ),
            "".join(
                f"DROP TRIGGER IF EXISTS symphony_guard ON {table};\n"
                f"DROP TRIGGER IF EXISTS symphony_no_truncate ON {table};\n"
                for table in TABLES
            ),
        ),
        PostgresOnlySQL(FINGERPRINT_SQL, DROP_FINGERPRINT_SQL),
    ]
