"""Helpers for the people-import tests: CSV text in a line, and the import run as HR would run it."""

from symphony_portal.trust import people_import, services
from symphony_portal.trust.models import PeopleImport

HEADER = "email,name,kind,school,role,job title"


def csv_of(*rows: str, header: str = HEADER, newline: str = "\n") -> str:
    return newline.join([header, *rows]) + newline


def import_now(text: str, *, by, deactivate_missing: bool = False) -> PeopleImport:
    """Upload and confirm in one go, as the preview's confirm button does (with the count typed in)."""
    pending = services.upload_people_import(text, filename="people.csv", by=by)
    count = len(people_import.plan(text, importer=by).missing) if deactivate_missing else None
    return services.confirm_people_import(
        pending, deactivate_missing=deactivate_missing, by=by, confirmed_deactivate_count=count
    )
