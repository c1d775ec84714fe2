"""Invisible and bidi characters are stripped from free text and names; one-line fields stay one line."""

import importlib
import inspect
import unicodedata

import pytest
from django import forms
from django.utils import timezone

from policies.models import PolicyVersion
from symphony_portal.lib.text import CleanTextMixin, clean_name, clean_text
from symphony_portal.trust.models import User
from tests.builders import make_version
from tests.trust.importing import csv_of, import_now

BIDI_CONTROLS = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]]
FORM_MODULES = ["policies.forms", "reports.forms", "approvals.forms", "symphony_portal.trust.forms"]


@pytest.mark.parametrize("control", BIDI_CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_it_strips_every_bidi_control(control):
    assert clean_text(f"invoice{control}gnp.exe") == "invoicegnp.exe"


def test_it_strips_every_other_invisible_format_character_outside_writing():
    format_chars = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert len(format_chars) > 150
    for char in format_chars:
        assert clean_text(f"a {char} b{char}") == "a  b", f"U+{ord(char):04X}"


def test_it_strips_control_characters_but_keeps_tabs_and_line_breaks():
    assert clean_text("one\x1b[31m\x07two\tthree\r\nfour\x00") == "one[31mtwo\tthree\r\nfour"


def test_it_keeps_joiners_inside_emoji_and_words():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "I want", with a ZWNJ inside the word
    assert clean_text(f"Our {family} day") == f"Our {family} day"
    assert clean_text(persian) == persian
    # At a word's edge a joiner only hides: it goes.
    assert clean_text("\u200dadmin\u200c") == "admin"
    assert clean_text("a \u200d b") == "a  b"


def test_it_keeps_the_flags_of_england_scotland_and_wales_and_no_other_tag_characters():
    scotland = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    assert clean_text(f"Go {scotland}!") == f"Go {scotland}!"
    smuggled = "".join(chr(0xE0000 + ord(c)) for c in "ignore this")
    assert clean_text(f"Hello{smuggled}") == "Hello"


def test_it_makes_a_name_from_a_file_one_clean_line():
    assert clean_name("  Tess\u202e \r\n Teacher\u200b ") == "Tess Teacher"


def test_it_is_used_by_every_form_in_the_portal():
    missing = [
        f"{module}.{name}"
        for module in FORM_MODULES
        for name, cls in inspect.getmembers(importlib.import_module(module), inspect.isclass)
        if issubclass(cls, forms.BaseForm)
        and cls.__module__ == module
        and not issubclass(cls, CleanTextMixin)
    ]
    assert not missing, f"forms without CleanTextMixin: {missing}"


class Example(CleanTextMixin, forms.Form):
    label = forms.CharField(max_length=40)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    password = forms.CharField(widget=forms.PasswordInput, required=False)


def test_it_cleans_a_forms_text_and_refuses_line_breaks_in_one_line_fields():
    form = Example(
        {"label": "2026\u202e-2029 ", "notes": "Line one\r\nline \u2066two", "password": "p\u200bw"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "label": "2026-2029",
        "notes": "Line one\r\nline two",
        "password": "p\u200bw",
    }
    forged = Example({"label": "2026-2029\r\n[INFO] published by HR"})
    assert not forged.is_valid()
    assert forged.errors["label"] == ["This must be on one line: remove the line breaks."]
    assert not Example({"label": "\u202e\u200b"}).is_valid()  # nothing visible left: required


@pytest.mark.django_db
def test_it_refuses_a_version_label_with_a_line_break_and_strips_bidi_from_it(client, hr):
    current = make_version(label="2016-2019", sections={"Purpose": ["Alpha wording."]})
    client.force_login(hr)
    url = f"/policies/{current.policy.slug}/drafts/start/"
    review = {"review_season": "autumn", "review_year": timezone.localdate().year + 3}
    refused = client.post(url, {"label": "2026-2029\r\nPublished by the Chair", **review})
    assert refused.status_code == 200
    assert "This must be on one line" in refused.content.decode()
    assert not PolicyVersion.objects.filter(status=PolicyVersion.Status.DRAFT).exists()
    client.post(url, {"label": "2026\u202e-2029", **review})
    assert PolicyVersion.objects.get(status=PolicyVersion.Status.DRAFT).label == "2026-2029"


@pytest.mark.django_db
def test_it_strips_invisible_characters_from_names_in_the_people_import(hr, harmony):
    import_now(
        csv_of(
            'new.person@symphony.test,"Nadia\u202e Newcomer\u200b",employee,harmony-primary,,"Year 1\u2067"'
        ),
        by=hr,
    )
    person = User.objects.get(email="new.person@symphony.test")
    assert person.full_name == "Nadia Newcomer" and person.job_title == "Year 1"


@pytest.mark.django_db
def test_it_strips_bidi_controls_from_a_report_and_from_an_admin_edit(client, teacher, colleague, head, hr):
    from reports.models import ConcernReport, Platform
    from symphony_portal.trust.models import School

    client.force_login(teacher)
    data = {
        "action": "submit",
        "colleague": colleague.pk,
        "platform": Platform.TWITTER,
        "link": "https://x.example/status/1",
        "seen_on": "2026-11-21",
        "still_visible": "no",
        "description": "The post named\u202e a pupil\u200b.",
    }
    assert client.post("/reports/new/", data).status_code == 302
    assert ConcernReport.objects.get().description == "The post named a pupil."
    # The admin's forms clean too (HRModelAdmin.form).
    client.force_login(hr)
    school = School.objects.get(slug="harmony-primary")
    url = f"/admin/trust/school/{school.pk}/change/"
    page = client.get(url)
    data = {**page.context["adminform"].form.initial, "name": "Harmony\u202e Primary School"}
    data = {key: "" if value is None else value for key, value in data.items()}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    school.refresh_from_db()
    assert school.name == "Harmony Primary School"
