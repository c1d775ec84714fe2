"""The compliance generation's triggers: the tables whose changes raise it, and the SQL that makes them.

acknowledgements.compliance_cache explains the generation and why the cache it keys is never stale. This
module imports no model. It describes the triggers as the migrations have made them (a test compares the
two); the migrations keep their own frozen copy of the SQL, so that what a landed migration does never
changes: a table added later gets its triggers in a new migration, copying the SQL as it is then.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Watched:
    """A table whose changes raise the generation: on insert, delete, and on an update of ``columns``
    (of any column when None)."""

    model: str  # app_label.ModelName, for the tests and the reader
    table: str
    columns: tuple[str, ...] | None = None


# Everything the compliance pages read (acknowledgements.selectors, policies.audience and the templates).
WATCHED: tuple[Watched, ...] = (
    Watched("acknowledgements.Acknowledgement", "acknowledgements_acknowledgement"),
    # A school's page shows how many reminders each outstanding person had, and when the last.
    Watched("acknowledgements.Reminder", "acknowledgements_reminder"),
    # Who is counted: kind, school, active; when they joined (deadlines); name and job title (lists).
    # Not last_login or password, which change at every sign-in.
    Watched(
        "trust.User",
        "trust_user",
        ("kind", "school_id", "is_active", "date_joined", "school_since", "full_name", "job_title"),
    ),
    Watched("trust.PersonTag", "trust_persontag"),
    Watched("trust.Tag", "trust_tag"),
    Watched("trust.School", "trust_school"),
    Watched("policies.Policy", "policies_policy"),
    Watched("policies.Policy_audience_schools", "policies_policy_audience_schools"),
    Watched("policies.PolicyVersion", "policies_policyversion"),
)


# --- The triggers (used by the migrations that make them) ------------------------------------------------

# SQLite has only row triggers: a statement writing 43,000 rows (a reminder run's records) raises the
# generation 43,000 times, so the body is the cheapest write there is. A plain UPDATE of the one row: where
# the row is missing (after a test's flush) nothing is raised, and the next reader makes the row again with a
# new epoch (compliance_cache.current_generation), so no key of before can come back. (Until migration
# acknowledgements 0010 the body was an upsert making the row too: 0.7 s more per reminder run.)
SQLITE_BUMP = "UPDATE acknowledgements_compliancegeneration SET value = value + 1 WHERE id = 1;"

# At the writer's commit (a deferred constraint trigger), once per transaction: the generation row is
# locked only for the instant of the commit, so a long transaction (a 3,000-person import) never makes
# other writers (acknowledgements) wait for it. The flag is SET LOCAL: it ends with the transaction, and a
# rolled-back savepoint undoes it with the bump it guarded.
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION symphony_compliance_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('symphony.compliance_bumped', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('symphony.compliance_bumped', 'on', true);
    INSERT INTO acknowledgements_compliancegeneration (id, epoch, value)
        VALUES (1, gen_random_uuid()::text, 1)
        ON CONFLICT (id) DO UPDATE SET value = acknowledgements_compliancegeneration.value + 1;
    RETURN NULL;
END $$;
"""

# Named to sort after Django's foreign-key checks ("RI_ConstraintTrigger..."), which run at commit too, so
# the generation row is locked as late as the commit allows. Two commits still take the row one after the
# other (for the instant of the commit); a deadlock would need another commit-time check of this
# transaction to wait for a row lock the other holds, which PostgreSQL detects and ends (one transaction
# fails with an error and is not recorded), never a hang.
POSTGRES_TRIGGER = "zz_compliance_generation"


def _changed(columns: tuple[str, ...], distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


def create_triggers_sql(vendor: str, watched: tuple[Watched, ...]) -> list[str]:
    """The statements that make the triggers raising the generation on these tables."""
    statements = []
    if vendor == "postgresql":
        statements.append(POSTGRES_FUNCTION)
    for item in watched:
        t = item.table
        if vendor == "sqlite":
            on_update = f"AFTER UPDATE ON {t} FOR EACH ROW"
            if item.columns:
                on_update = (
                    f"AFTER UPDATE OF {', '.join(item.columns)} ON {t} FOR EACH ROW "
                    f"WHEN {_changed(item.columns, 'IS NOT')}"
                )
            for suffix, event in (
                ("insert", f"AFTER INSERT ON {t} FOR EACH ROW"),
                ("update", on_update),
                ("delete", f"AFTER DELETE ON {t} FOR EACH ROW"),
            ):
                statements.append(
                    f"CREATE TRIGGER compliance_generation_{t}_{suffix} {event} BEGIN {SQLITE_BUMP} END"
                )
        elif vendor == "postgresql":
            deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
            function = "EXECUTE FUNCTION symphony_compliance_generation_bump()"
            if item.columns:
                statements += [
                    f"CREATE CONSTRAINT TRIGGER {POSTGRES_TRIGGER} AFTER INSERT OR DELETE ON {t} "
                    f"{deferred} {function}",
                    f"CREATE CONSTRAINT TRIGGER {POSTGRES_TRIGGER}_update AFTER UPDATE OF "
                    f"{', '.join(item.columns)} ON {t} {deferred} "
                    f"WHEN ({_changed(item.columns, 'IS DISTINCT FROM')}) {function}",
                ]
            else:
                statements.append(
                    f"CREATE CONSTRAINT TRIGGER {POSTGRES_TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON {t} "
                    f"{deferred} {function}"
                )
            statements.append(
                f"CREATE TRIGGER {POSTGRES_TRIGGER}_truncate AFTER TRUNCATE ON {t} "
                f"FOR EACH STATEMENT {function}"
            )
        else:
            raise NotImplementedError(f"No compliance generation triggers for {vendor}.")
    return statements


def drop_triggers_sql(vendor: str, watched: tuple[Watched, ...]) -> list[str]:
    statements = []
    for item in watched:
        t = item.table
        if vendor == "sqlite":
            statements += [
                f"DROP TRIGGER IF EXISTS compliance_generation_{t}_{suffix}"
                for suffix in ("insert", "update", "delete")
            ]
        elif vendor == "postgresql":
            statements += [
                f"DROP TRIGGER IF EXISTS {POSTGRES_TRIGGER}{suffix} ON {t}"
                for suffix in ("", "_update", "_truncate")
            ]
    if vendor == "postgresql":
        statements.append("DROP FUNCTION IF EXISTS symphony_compliance_generation_bump()")
    return statements
