"""The signed-off review pack: its contents, the attached register, PDF/A-3b, signing, safety and queries."""

import csv
import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from acknowledgements.models import PackJob
from acknowledgements.pack import CSV_NAME, build_signoff_pack, pack_context, pack_html
from acknowledgements.pack_jobs import request_pack
from policies.models import ExportKind, PolicyExport
from policies.selectors import fingerprint, outline
from reports.models import Status
from symphony_portal.lib.pdf import verify_pdf
from symphony_portal.trust.models import Kind
from tests.acknowledgements.conftest import acknowledged, publish_successor
from tests.builders import make_person, make_version
from tests.lib.pdf_helpers import (
    LoopbackRecorder,
    attachments,
    make_signing_certificate,
    page_texts,
    pdfa_status,
    qpdf_check,
)
from tests.reports.builders import make_report


def squeeze(text: str) -> str:
    """Letters only: PDF text extraction splits and joins words freely."""
    return "".join(text.replace("*", "").split())


@pytest.fixture
def trust(
    seed_version, teacher, colleague, other_teacher, head, governor, trustee, exec_head, hr, other_head
):
    """The seed policy: Tess, the Head and the governor have acknowledged; the rest are outstanding."""
    acknowledged(seed_version, teacher, head, governor)
    return seed_version


@pytest.fixture
def pack(trust):
    return build_signoff_pack(trust)


def register_csv(pdf: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(attachments(pdf)[CSV_NAME].decode())))


def test_it_finds_every_clause_every_acknowledged_and_every_outstanding_name(
    pack, trust, teacher, head, governor, colleague, other_teacher, trustee, exec_head, hr, other_head
):
    whole = squeeze(" ".join(page_texts(pack.content)))
    for section in outline(trust):
        for clause in section.clauses:
            assert squeeze(clause.text) in whole
    register, outstanding_part = whole.split(squeeze("Still outstanding"), 1)
    for person in (teacher, head, governor):
        assert squeeze(person.full_name) in register
    for person in (colleague, other_teacher, trustee, exec_head, hr, other_head):
        assert squeeze(person.full_name) in outstanding_part
    assert pack.filename.startswith("social-media-policy-2016-2019-signoff-")
    assert pack.register_rows == 9
    first_page = squeeze(page_texts(pack.content)[0])
    assert squeeze(fingerprint(trust)) in first_page
    assert squeeze("Unsigned: no signing key is configured") in first_page
    assert pack.signed is False


def test_it_attaches_the_register_as_a_csv_that_matches_it(pack, trust, teacher, head, governor, colleague):
    rows = register_csv(pack.content)
    done = {r["Name"] for r in rows if r["Status"] == "Acknowledged"}
    waiting = {r["Name"] for r in rows if r["Status"] == "Outstanding"}
    assert done == {teacher.full_name, head.full_name, governor.full_name}
    assert colleague.full_name in waiting and not done & waiting
    assert len(rows) == pack.register_rows
    tess = next(r for r in rows if r["Name"] == teacher.full_name)
    assert tess["Fingerprint (SHA-256)"] == fingerprint(trust)
    assert tess["Kind"] == "Employee" and tess["School"] == teacher.school.name


def test_it_is_pdf_a_3b_and_passes_qpdf_check(pack, tmp_path):
    assert pdfa_status(pack.content) == "3B"
    result = qpdf_check(pack.content, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_keeps_a_formula_in_a_name_harmless_in_the_attached_csv(seed_version, harmony):
    make_person('=HYPERLINK("http://evil.example")', school=harmony)
    rows = register_csv(build_signoff_pack(seed_version).content)
    assert '\'=HYPERLINK("http://evil.example")' in {r["Name"] for r in rows}


def test_it_signs_the_pack_and_a_changed_byte_breaks_the_signature(trust, settings, tmp_path):
    key, cert = make_signing_certificate(tmp_path, "Symphony Learning Trust HR")
    settings.SYMPHONY_SIGNING_KEY, settings.SYMPHONY_SIGNING_CERT = str(key), str(cert)
    pack = build_signoff_pack(trust)

    assert pack.signed is True
    assert squeeze("Digitally signed") in squeeze(page_texts(pack.content)[0])
    check = verify_pdf(pack.content)
    assert check.ok, check.problems
    assert check.signer == "Symphony Learning Trust HR"
    at = pack.content.index(b"Social Media Policy")  # inside the signed range
    tampered = pack.content[:at] + b"X" + pack.content[at + 1 :]
    assert not verify_pdf(tampered).unchanged


def test_it_counts_reports_in_the_period_without_any_name_or_text(trust, teacher, colleague):
    make_report(
        teacher,
        colleague,
        description="Quillfeather posted the marmalade zeppelin photographs on the staffroom noticeboard.",
    )
    make_report(teacher, subject_name="Bartholomew Zanzibar-Wick", description="A second distinctive report.")

    context = pack_context(trust)
    text = squeeze(" ".join(page_texts(build_signoff_pack(trust).content)))

    assert context["report_total"] == 2
    assert dict(context["reports_by_status"])[Status.RECEIVED.value.capitalize()] == 2
    assert squeeze("Reports made from") in text
    for secret in ("marmalade zeppelin", "Zanzibar-Wick", "distinctive report", "Quillfeather"):
        assert squeeze(secret) not in text
    # The subject appears once, as a person outstanding in the register, never next to a report.
    assert text.count(squeeze(colleague.full_name)) == 1


def test_it_prints_hostile_html_in_names_as_text_and_fetches_nothing(seed_version, harmony):
    with LoopbackRecorder() as server:
        hostile = (
            f'<img src="{server.url}x.png"><link rel="attachment" href="file:///etc/passwd">'
            f'<a href="file:///etc/hostname">Mallory</a>'
        )
        person = make_person(
            "Mallory " + hostile[:150], school=harmony, job_title=f"<img src='{server.url}y'>"
        )
        acknowledged(seed_version, person)
        pdf = build_signoff_pack(seed_version).content

    assert server.connections == 0
    assert set(attachments(pdf)) == {CSV_NAME}
    text = squeeze(" ".join(page_texts(pdf)))
    assert squeeze("Mallory <img") in text


def test_it_lists_the_clause_changes_when_a_newer_version_exists(version, teacher):
    acknowledged(version, teacher)
    publish_successor(version)
    version.refresh_from_db()

    text = squeeze(" ".join(page_texts(build_signoff_pack(version).content)))

    assert squeeze("Part 5. Changes since this version") in text
    assert squeeze("kinder") in text and squeeze("Think before posting.") in text


def test_it_leaves_out_the_changes_part_when_the_version_is_current(version):
    assert pack_context(version)["comparison"] is None


def _grow(version, school, n: int) -> None:
    people = [make_person(f"Person {school.slug} {i}", school=school, kind=Kind.EMPLOYEE) for i in range(n)]
    acknowledged(version, *people[: n // 2])


@pytest.mark.parametrize("size", [4, 40])
def test_it_reads_the_pack_in_a_constant_number_of_queries(
    size, django_assert_max_num_queries, harmony, crescendo
):
    version = make_version(label="2025-2028", sections={"One": ["A.", "B."], "Two": ["C."]})
    _grow(version, harmony, size)
    _grow(version, crescendo, size)
    publish_successor(version)
    version.refresh_from_db()
    with django_assert_max_num_queries(14):  # +1: the carried-over notes (one query)
        html = pack_html(pack_context(version))
    assert html.count("Person harmony") == size


def test_it_writes_the_pack_from_the_command_line_and_records_the_export(trust, tmp_path, private_media):
    out = tmp_path / "pack.pdf"
    call_command("build_signoff_pack", "--version", str(trust.pk), "--output", str(out), stdout=io.StringIO())

    export = PolicyExport.objects.get()
    assert out.read_bytes().startswith(b"%PDF-")
    assert export.kind == ExportKind.SIGNOFF_PACK and export.exported_by is None
    assert export.file_sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    # It is one of the version's packs, like those HR prepares: kept in the private storage and listed.
    job = PackJob.objects.get()
    assert (job.state, job.requested_by, job.export) == (PackJob.State.DONE, None, export)
    with job.file.open("rb") as file:
        assert file.read() == out.read_bytes()


def test_it_starts_nothing_from_the_command_line_while_a_build_is_under_way(trust, hr, private_media):
    request_pack(trust, by=hr)
    with pytest.raises(CommandError, match="already being made"):
        call_command("build_signoff_pack", "--version", str(trust.pk), stdout=io.StringIO())
    assert PackJob.objects.count() == 1 and not PolicyExport.objects.exists()
