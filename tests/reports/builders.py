"""Builders for reports tests: a report in one line, and evidence files made in the test (good and bad)."""

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from reports import services
from reports.evidence import CheckedFile
from reports.models import Platform, StillVisible

DESCRIPTION = "He posted a photo of Year 6 pupils in uniform with a rude caption about their parents."


def details(subject=None, *, subject_name="", description=DESCRIPTION, **fields) -> services.ReportDetails:
    values = {
        "subject": subject,
        "subject_name": subject_name,
        "platform": Platform.FACEBOOK,
        "platform_other": "",
        "link": "https://facebook.example/posts/1",
        "seen_on": date(2026, 11, 20),
        "still_visible": StillVisible.YES,
        "description": description,
        "is_cyberbullying": False,
    }
    values.update(fields)
    return services.ReportDetails(**values)


def make_report(reporter, subject=None, *, files=(), clause_keys=(), notify=False, **fields):
    """A report made through the service, as the form would make it (and committed: its files written)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.submit(
            details(subject, **fields),
            by=reporter,
            clause_keys=list(clause_keys),
            files=list(files),
            notify=notify,
        )


def png_bytes(size=(40, 30), color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG", **save)
    return out.getvalue()


def jpeg_with_location() -> bytes:
    """A JPEG whose EXIF holds a GPS position (as a phone photo would)."""
    image = Image.new("RGB", (32, 32), (10, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def checked_png() -> CheckedFile:
    return CheckedFile("screenshot.png", "png", png_bytes())


def _js_action() -> DictionaryObject:
    return DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1);")}
    )


def pdf_bytes(
    *, javascript=False, open_action=False, embedded=False, attachment=False, password=None, action=False
) -> bytes:
    """A one-page PDF, clean or carrying what evidence must never carry."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if javascript:  # document-level script, in the /Names /JavaScript tree
        names = ArrayObject([TextStringObject("hello"), writer._add_object(_js_action())])
        writer._root_object[NameObject("/Names")] = DictionaryObject(
            {NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): names})}
        )
    if open_action:
        writer._root_object[NameObject("/OpenAction")] = _js_action()
    if embedded:
        writer.add_attachment("payload.txt", b"hidden data")
    if action:
        page = writer.pages[0]
        page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): _js_action()})
    if attachment:
        from pypdf.annotations import Link

        annotation = Link(rect=(10, 10, 50, 50), url="https://example.org")
        annotation[NameObject("/Subtype")] = NameObject("/FileAttachment")
        writer.add_annotation(page_number=0, annotation=annotation)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def who_can_open(report) -> set:
    """Everyone who can open anything of this case, asked of the real access code for every person.

    Each person in the directory (active or not) asks for the case page and the reporter's status page
    through the views, as a signed-in person would (opening the case re-checks its handler, so this also
    runs every re-route); then, once the case has settled, ``ConcernReport.objects.visible_to`` is asked
    for every person too. Not a re-implementation of the rules: the union of what the portal answers.
    """
    from django.test import Client

    from reports.models import ConcernReport
    from symphony_portal.trust.models import User

    people = list(User.objects.order_by("pk"))
    opened = set()
    for person in people:
        client = Client()
        client.force_login(person)
        for url in (f"/reports/cases/{report.public_id}/", f"/reports/mine/{report.public_id}/"):
            if client.get(url).status_code == 200:
                opened.add(person)
    visible = {p for p in people if ConcernReport.objects.visible_to(p).filter(pk=report.pk).exists()}
    return opened | visible
