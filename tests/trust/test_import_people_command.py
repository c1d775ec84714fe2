"""`manage.py import_people FILE`: the same import from the shell, a preview unless --commit."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from symphony_portal.trust.models import PeopleImport, User
from tests.trust.importing import csv_of

pytestmark = pytest.mark.django_db

NINA = "nina.gordon@symphony.test,Nina Gordon,employee,Harmony Primary School,,Year 3 Teacher"


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_people", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_previews_without_writing(tmp_path, harmony, teacher):
    path = tmp_path / "people.csv"
    path.write_text(csv_of(NINA))
    out, _ = run(str(path))
    assert "1 row: 1 new, 0 updated, 0 unchanged, 1 not in the file, 0 problems." in out
    assert "nothing was written" in out
    assert not User.objects.filter(email="nina.gordon@symphony.test").exists()
    assert not PeopleImport.objects.exists()


def test_it_imports_with_commit_and_deactivates_only_when_asked(
    tmp_path, harmony, teacher, django_capture_on_commit_callbacks
):
    path = tmp_path / "people.csv"
    path.write_bytes(("\ufeff" + csv_of(NINA, newline="\r\n")).encode())
    with django_capture_on_commit_callbacks(execute=True):
        # One of one active person: more than 10%, so the exact count is confirmed.
        out, _ = run(str(path), "--commit", "--deactivate-missing", "--confirm-deactivate", "1")
    assert "To deactivate: Tess Teacher" in out
    assert "Imported: 1 created, 0 updated, 1 deactivated, 0 unchanged;" in out
    assert not User.objects.get(pk=teacher.pk).is_active
    assert [m.to for m in mail.outbox] == [["nina.gordon@symphony.test"]]
    record = PeopleImport.objects.get()
    assert record.uploaded_by is None and record.filename == "people.csv"


def test_it_lists_the_problems_and_writes_nothing(tmp_path, harmony):
    path = tmp_path / "people.csv"
    path.write_text(csv_of(NINA, "nina.gordon@symphony.test,Nina,employee,,,"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_people", str(path), "--commit", stdout=io.StringIO(), stderr=err)
    assert "Row 3: nina.gordon@symphony.test: This email address is already on row 2." in err.getvalue()
    assert not User.objects.filter(email="nina.gordon@symphony.test").exists()


def test_it_says_when_the_file_is_not_utf8(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_of("zoe@symphony.test,Zoë,employee,,,").encode("cp1252"))
    with pytest.raises(CommandError, match="CSV UTF-8"):
        run(str(path))
