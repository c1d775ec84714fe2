"""manage.py import_policy: the same reading, checks and service as the web page."""

import pytest
from django.core.management import CommandError, call_command

from policies.models import Clause, Policy, PolicyVersion
from tests.policies import documents

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_policy", *map(str, args), stdout=out)
    return out.getvalue()


def test_it_creates_the_draft_of_the_seed_policy_from_a_word_document(tmp_path):
    path = tmp_path / "social-media.docx"
    path.write_bytes(documents.seed_docx())

    output = run(path, "--title", "Social Media Policy", "--label", "2026-2029", "--review", "autumn 2029")

    assert "social-media.docx: 9 sections, 49 clauses. Fidelity: 72 of 72 sentences found" in output
    draft = PolicyVersion.objects.get(policy__slug="social-media-policy")
    assert draft.is_draft
    assert (draft.label, draft.review_season, draft.review_year) == ("2026-2029", "autumn", 2029)
    assert draft.sections.count() == 9
    assert Clause.objects.filter(version=draft).count() == 49  # as many as the seed fixture holds
    assert Clause.objects.filter(version=draft, style="bullet").count() == 25
    assert draft.get_draft_url() in output


def test_it_records_the_hr_person_given(tmp_path, hr):
    path = tmp_path / "code.md"
    path.write_text("# Scope\n\nEveryone *must* follow it.\n", encoding="utf-8")

    run(path, "--title", "Staff Code", "--by", hr.email)

    draft = PolicyVersion.objects.get(policy__slug="staff-code")
    assert draft.history.first().history_user == hr
    assert Clause.objects.get(version=draft).text == "Everyone *must* follow it."


def test_it_refuses_someone_who_is_not_hr(tmp_path, teacher):
    path = tmp_path / "code.txt"
    path.write_text("Everyone must follow it.\n", encoding="utf-8")

    with pytest.raises(CommandError, match="Only HR can add policies. Nothing was created."):
        run(path, "--title", "Staff Code", "--by", teacher.email)
    assert not Policy.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (documents.ole_file(), "code.docx", "encrypted"),
        (b"%PDF-1.7\n", "code.docx", "not a Word document"),
        (documents.headings_only_docx(), "code.docx", "no text"),
        (documents.zip_bomb(), "code.docx", "bomb"),
    ],
    ids=["encrypted", "not-word", "no-text", "zip-bomb"],
)
def test_it_refuses_bad_files_and_creates_nothing(tmp_path, data, name, words):
    path = tmp_path / name
    path.write_bytes(data)

    with pytest.raises(CommandError, match=words):
        run(path, "--title", "Staff Code")
    assert not Policy.objects.exists()


def test_it_refuses_an_empty_and_a_50_mb_file(tmp_path):
    empty, big = tmp_path / "empty.docx", tmp_path / "big.docx"
    empty.write_bytes(b"")
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)

    with pytest.raises(CommandError, match="The file is empty"):
        run(empty, "--title", "A")
    with pytest.raises(CommandError, match="The file is 50.0 MB"):
        run(big, "--title", "B")
    assert not Policy.objects.exists()


def test_a_dry_run_creates_nothing(tmp_path):
    path = tmp_path / "code.docx"
    path.write_bytes(documents.small_docx())

    output = run(path, "--title", "Staff Code", "--dry-run")

    assert "Fidelity: 7 of 7 sentences" in output
    assert "Dry run: nothing was created." in output
    assert not Policy.objects.exists()


def test_it_refuses_a_title_already_in_the_library(tmp_path, seed_version):
    path = tmp_path / "code.docx"
    path.write_bytes(documents.small_docx())

    with pytest.raises(CommandError, match="already in the library"):
        run(path, "--title", "Social Media Policy")
    assert Policy.objects.count() == 1


def test_it_says_when_the_file_is_missing(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "nowhere.docx", "--title", "A")
