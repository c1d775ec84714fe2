"""symphony_portal/lib/pdf.py: rendering (PDF/A-3b, attachments, static files only, time limit),
atomic writes, signing and verifying, and the verify_pdf command."""

import asyncio
import io
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command

from symphony_portal.lib import pdf
from symphony_portal.lib.pdf import (
    BASE_URL,
    PDFAttachment,
    PDFRenderError,
    PDFSigningError,
    StaticAllowList,
    render_pdf,
    sign_pdf,
    verify_pdf,
    write_atomically,
)
from tests.lib.pdf_helpers import (
    attachments,
    make_signing_certificate,
    page_texts,
    pdfa_status,
    qpdf_check,
)

PAGE = """<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Test document</title>
<link rel="stylesheet" href="/static/css/pdf.css">{head}</head>
<body><h1 class="running-title">Test document</h1>
<p>Ünïcode — “quotes” and <em>emphasis</em>.</p>{body}</body></html>"""


def page(body: str = "", head: str = "") -> str:
    return PAGE.format(body=body, head=head)


@pytest.fixture(scope="module")
def plain_pdf() -> bytes:
    return render_pdf(
        page(),
        attachments=[
            PDFAttachment("register.csv", "name,kind\nZoë,employee\n", description="The register"),
            PDFAttachment("raw.bin", bytes(range(256)), relationship="Supplement"),
        ],
    )


ATTACHED = {"register.csv": "name,kind\nZoë,employee\n".encode(), "raw.bin": bytes(range(256))}


def test_it_makes_a_pdf_a_3b_file_that_qpdf_accepts(plain_pdf, tmp_path):
    assert plain_pdf.startswith(b"%PDF-")
    assert pdfa_status(plain_pdf) == "3B"
    result = qpdf_check(plain_pdf, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout
    assert "Ünïcode — “quotes” and emphasis." in page_texts(plain_pdf)[0]


def test_it_tags_the_document_structure_for_screen_readers(plain_pdf):
    import pikepdf

    with pikepdf.open(io.BytesIO(plain_pdf)) as document:
        assert document.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in document.Root
        assert str(document.Root.Lang) == "en-GB"


def test_it_embeds_attachments_that_read_back_unchanged(plain_pdf):
    import pikepdf

    assert attachments(plain_pdf) == ATTACHED
    with pikepdf.open(io.BytesIO(plain_pdf)) as document:
        register = document.attachments["register.csv"]
        assert str(register.relationship) == "/Data"
        assert register.description == "The register"
        assert str(document.attachments["raw.bin"].relationship) == "/Supplement"


def test_it_uses_the_projects_own_stylesheet(plain_pdf):
    # "Page 1 of 1" comes only from static/css/pdf.css, fetched through the allow-listing fetcher.
    assert "Page 1 of 1" in page_texts(plain_pdf)[0]


def test_it_embeds_the_fonts_it_uses(plain_pdf):
    import pikepdf

    with pikepdf.open(io.BytesIO(plain_pdf)) as document:
        fonts = [font for p in document.pages for font in p.Resources.Font.values()]
        descriptors = [font.DescendantFonts[0].FontDescriptor for font in fonts]
        assert descriptors and all("/FontFile2" in d for d in descriptors)
        assert {str(font.BaseFont).split("+")[-1] for font in fonts} >= {"DejaVu-Sans", "DejaVu-Sans-Bold"}


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1/static/css/pdf.css",
        "https://example.org/static/css/pdf.css",
        "data:text/css,body{color:red}",
        BASE_URL + "static/../manage.py",
        BASE_URL + "static/..%2F..%2Fmanage.py",
        BASE_URL + "static/css/pdf.css?x=1",
        BASE_URL + "manage.py",
        BASE_URL + "static/css/",
        BASE_URL + "static/admin/css/base.css",  # an app's static file, not the project's
    ],
)
def test_it_allows_only_the_projects_static_files(url):
    assert StaticAllowList.from_settings().find(url) is None


def test_it_finds_a_project_static_file():
    found = StaticAllowList.from_settings().find(BASE_URL + "static/css/pdf.css")
    assert found is not None and found.name == "pdf.css" and found.parent.parent.name == "static"


def test_it_fetches_nothing_from_the_file_system_or_the_network(loopback, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top-secret-marker")
    body = (
        f'<link rel="attachment" href="file://{secret}">'
        '<link rel="attachment" href="file:///etc/passwd">'
        '<link rel="attachment" href="data:text/plain,from-a-data-url">'
        f'<link rel="attachment" href="{loopback.url}attachment.txt">'
        f'<img src="{loopback.url}image.png" alt="remote">'
        f'<img src="file://{secret}" alt="local">'
        f'<iframe src="{loopback.url}frame"></iframe><object data="{loopback.url}object"></object>'
        f'<p style="background: url({loopback.url}bg.png)">styled</p>'
    )
    head = f'<link rel="stylesheet" href="{loopback.url}x.css"><style>@import url("file://{secret}");</style>'

    document = render_pdf(page(body, head))

    assert loopback.connections == 0
    assert attachments(document) == {}
    assert b"top-secret-marker" not in document
    assert b"root:" not in document


def test_it_stops_rendering_at_the_time_limit():
    with pytest.raises(PDFRenderError, match="longer than 0.01 seconds"):
        render_pdf(page(), timeout=0.01)


def test_it_reports_a_rendering_failure_as_a_render_error():
    with pytest.raises(PDFRenderError, match="failed"):
        render_pdf(page(), pdf_variant="pdf/not-a-variant")


def test_it_writes_files_whole_or_not_at_all(tmp_path, monkeypatch):
    target = tmp_path / "exports" / "pack.pdf"
    write_atomically(target, b"first version")
    assert target.read_bytes() == b"first version"

    def interrupted(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, b"second version")
    assert target.read_bytes() == b"first version"
    assert sorted(p.name for p in target.parent.iterdir()) == ["pack.pdf"]


# --- Signing and verifying ---------------------------------------------------------------------------------


def changed_byte(document: bytes) -> bytes:
    """The document with one byte changed inside its first (signed) content stream."""
    position = document.index(b"stream", document.index(b"/Length")) + 20
    return document[:position] + bytes([document[position] ^ 0x01]) + document[position + 1 :]


def test_it_leaves_the_pdf_unsigned_without_a_key(plain_pdf, settings):
    settings.SYMPHONY_SIGNING_KEY = settings.SYMPHONY_SIGNING_CERT = ""
    assert not pdf.signing_configured()
    assert sign_pdf(plain_pdf) == plain_pdf
    check = verify_pdf(plain_pdf)
    assert check.readable and not check.signed and not check.ok


def test_it_signs_and_verifies_an_unchanged_file(plain_pdf, signing_key, tmp_path):
    signed = sign_pdf(plain_pdf, reason="Test sign-off")

    check = verify_pdf(signed)
    assert check.signed and check.intact and check.whole_file and check.trusted and check.ok
    assert check.signer == "Symphony Learning Trust test signer"
    assert check.signed_at is not None
    assert check.problems == []
    # The invisible signature keeps the file PDF/A-3b and sound, and the attachment in place.
    assert pdfa_status(signed) == "3B"
    assert qpdf_check(signed, tmp_path).returncode == 0
    assert attachments(signed) == ATTACHED


def test_it_signs_and_verifies_inside_a_running_event_loop(plain_pdf, signing_key):
    # pyHanko's synchronous API calls asyncio.run(), which fails inside a running loop (an ASGI server,
    # or Playwright's sync API earlier in the same test process).
    async def in_a_loop():
        return verify_pdf(sign_pdf(plain_pdf))

    # A thread of its own, as this test process may already run Playwright's loop in the main thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, in_a_loop()).result().ok


def test_it_detects_one_changed_byte(plain_pdf, signing_key):
    check = verify_pdf(changed_byte(sign_pdf(plain_pdf)))
    assert check.signed and not check.intact and not check.ok
    assert "changed after signing" in " ".join(check.problems)


def test_it_detects_an_update_added_after_signing(plain_pdf, signing_key):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(sign_pdf(plain_pdf)))
    writer.root["/Lang"] = generic.TextStringObject("fr-FR")
    writer.update_root()
    updated = io.BytesIO()
    writer.write(updated)

    check = verify_pdf(updated.getvalue())
    assert check.signed and check.intact and not check.whole_file and not check.ok
    assert "added to the file after it was signed" in " ".join(check.problems)


def test_it_does_not_trust_another_signers_certificate(plain_pdf, signing_key, tmp_path, settings):
    other_key, other_cert = make_signing_certificate(tmp_path, "Someone Else")
    settings.SYMPHONY_SIGNING_KEY, settings.SYMPHONY_SIGNING_CERT = str(other_key), str(other_cert)
    signed_by_someone_else = sign_pdf(plain_pdf)

    check = verify_pdf(signed_by_someone_else, trust_roots=[signing_key[1]])
    assert check.unchanged and not check.trusted and not check.ok
    assert check.signer == "Someone Else"


def test_it_refuses_to_sign_with_an_unreadable_key(plain_pdf, signing_key, settings, tmp_path):
    settings.SYMPHONY_SIGNING_KEY = str(tmp_path / "missing-key.pem")
    with pytest.raises(PDFSigningError):
        sign_pdf(plain_pdf)


def test_it_reports_a_file_that_is_not_a_pdf():
    check = verify_pdf(b"this is not a PDF at all")
    assert not check.readable and not check.ok


def run_verify(path) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_pdf", str(path), stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def test_it_says_from_the_command_line_whether_a_file_is_intact(plain_pdf, signing_key, tmp_path):
    signed = sign_pdf(plain_pdf)
    (tmp_path / "signed.pdf").write_bytes(signed)
    (tmp_path / "changed.pdf").write_bytes(changed_byte(signed))
    (tmp_path / "unsigned.pdf").write_bytes(plain_pdf)

    code, output = run_verify(tmp_path / "signed.pdf")
    assert code == 0
    assert output.startswith(
        "INTACT: signed.pdf is unchanged since it was signed by Symphony Learning Trust test"
    )

    code, output = run_verify(tmp_path / "changed.pdf")
    assert code == 1
    assert output.startswith("CHANGED: changed.pdf")
    assert "changed after signing" in output

    code, output = run_verify(tmp_path / "unsigned.pdf")
    assert code == 3
    assert output.startswith("UNSIGNED: unsigned.pdf carries no digital signature")


def test_it_says_from_the_command_line_when_the_signer_is_not_trusted(plain_pdf, signing_key, tmp_path):
    (tmp_path / "signed.pdf").write_bytes(sign_pdf(plain_pdf))
    _, stranger = make_signing_certificate(tmp_path, "Stranger")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("verify_pdf", str(tmp_path / "signed.pdf"), "--trust-root", str(stranger), stdout=out)
    assert exit.value.code == 2
    assert out.getvalue().startswith("UNTRUSTED: signed.pdf is unchanged since it was signed by Symphony")


def test_it_refuses_to_start_with_half_a_signing_configuration(tmp_path):
    from tests.test_settings import manage

    result = manage("check", env={"SYMPHONY_SIGNING_KEY": str(tmp_path / "key.pem")})
    assert result.returncode != 0
    assert "Set both SYMPHONY_SIGNING_KEY and SYMPHONY_SIGNING_CERT, or neither." in result.stderr
