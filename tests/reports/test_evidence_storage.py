"""Evidence files on disk always equal evidence rows: written after the commit, never orphaned.

The order (reports.services.submit): rows in the report's transaction, files once it has committed. A
rollback leaves no file; a write failing after the commit takes the rows back and says so on the timeline.
"""

import pytest
from django.db import transaction

from reports import evidence, services
from reports.models import ConcernReport, Evidence, ReportEvent
from tests.reports.builders import checked_png, details, pdf_bytes
from tests.reports.test_submitting_once import files_on_disk

pytestmark = pytest.mark.django_db(transaction=True)  # real commits and rollbacks


class Interrupted(Exception):
    pass


def test_it_writes_the_files_once_the_report_has_committed(teacher, colleague, head, private_media):
    report = services.submit(
        details(colleague),
        by=teacher,
        notify=False,
        files=[checked_png(), evidence.CheckedFile("p.pdf", "pdf", pdf_bytes())],
    )
    assert files_on_disk(private_media) == set(report.evidence.values_list("stored_name", flat=True))
    assert len(files_on_disk(private_media)) == 2
    assert evidence.read(report.evidence.get(position=1).stored_name) == checked_png().data


def test_it_leaves_no_file_when_the_transaction_rolls_back_after_the_report(
    teacher, colleague, head, private_media
):
    with pytest.raises(Interrupted), transaction.atomic():
        services.submit(details(colleague), by=teacher, notify=False, files=[checked_png(), checked_png()])
        assert Evidence.objects.count() == 2  # made inside the transaction...
        raise Interrupted  # ...that then fails, as a later step of a request could
    assert not ConcernReport.objects.exists() and not Evidence.objects.exists()
    assert files_on_disk(private_media) == set()


def test_it_leaves_no_file_when_the_report_itself_fails(teacher, colleague, head, private_media, monkeypatch):
    def broken(*args, **kwargs):
        raise Interrupted

    monkeypatch.setattr(services, "_snapshot_clauses", broken)
    with pytest.raises(Interrupted):
        services.submit(details(colleague), by=teacher, notify=False, files=[checked_png()])
    assert not Evidence.objects.exists() and files_on_disk(private_media) == set()


def test_it_takes_back_the_rows_when_a_file_cannot_be_written_after_the_commit(
    teacher, colleague, head, private_media, monkeypatch
):
    real_write, calls = evidence.write, []

    def write_then_fail(stored_name, data):
        calls.append(stored_name)
        if len(calls) == 2:
            raise OSError("No space left on device")
        real_write(stored_name, data)

    monkeypatch.setattr(evidence, "write", write_then_fail)
    report = services.submit(
        details(colleague), by=teacher, notify=False, files=[checked_png(), checked_png()]
    )

    assert ConcernReport.objects.filter(pk=report.pk).exists()  # the report stands
    assert not Evidence.objects.exists()  # no row without its file...
    assert files_on_disk(private_media) == set()  # ...and the one file written went too
    note = report.events.get(kind=ReportEvent.Kind.NOTE)
    assert "could not be stored" in note.note and "send them again" in note.note


def test_it_answers_not_found_for_a_file_missing_from_the_store(
    client, teacher, colleague, head, private_media
):
    report = services.submit(details(colleague), by=teacher, notify=False, files=[checked_png()])
    (private_media / "evidence" / report.evidence.get().stored_name).unlink()
    client.force_login(head)
    assert client.get(f"/reports/cases/{report.public_id}/evidence/1/").status_code == 404


def test_it_finds_and_repairs_rows_without_files_and_files_without_rows(
    teacher, colleague, head, private_media
):
    import io
    from datetime import timedelta

    from django.core.management import CommandError, call_command
    from django.utils import timezone

    kept = services.submit(details(colleague), by=teacher, notify=False, files=[checked_png()])
    lost = services.submit(details(colleague), by=teacher, notify=False, files=[checked_png(), checked_png()])
    Evidence.objects.update(uploaded_at=timezone.now() - timedelta(hours=1))
    for item in lost.evidence.all():  # as if the process stopped between the commit and the write
        (private_media / "evidence" / item.stored_name).unlink()
    (private_media / "evidence" / ("f" * 40)).write_bytes(b"put here by hand")

    out = io.StringIO()
    with pytest.raises(CommandError, match="differ"):
        call_command("check_evidence", stdout=out)
    assert "2 rows without a file, 1 file without a row" in out.getvalue()
    assert Evidence.objects.count() == 3  # a check alone changes nothing

    call_command("check_evidence", "--repair", stdout=io.StringIO())
    assert files_on_disk(private_media) == set(Evidence.objects.values_list("stored_name", flat=True))
    assert list(Evidence.objects.values_list("report", flat=True)) == [kept.pk]
    assert "were missing from the store" in lost.events.get(kind=ReportEvent.Kind.NOTE).note
    call_command("check_evidence", stdout=io.StringIO())  # agrees now: no error
