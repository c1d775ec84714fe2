"""Cleaning what people type: no invisible format characters, and one line where one line is meant.

Text that a Head reads in a list must look like what it is. Bidirectional controls (U+202A-202E,
U+2066-2069, U+200E/U+200F, U+061C) can make "invoice\u202egnp.exe" display as "invoiceexe.png", and
other invisible "format" characters (Unicode category Cf: zero-width spaces, soft hyphens, the byte order
mark, tag characters) hide text or make two names that look the same differ. All of them are removed
from every free-text and name field, except where they are part of writing:

- U+200D ZERO WIDTH JOINER and U+200C ZERO WIDTH NON-JOINER between two visible characters: emoji
  sequences (a family, a profession with a skin tone) and scripts such as Persian, Hindi or Malayalam
  need them; at the start or end of a word, or next to a space, they only hide and are removed;
- tag characters (U+E0020-E007F) inside an emoji tag sequence that begins with U+1F3F4 WAVING BLACK FLAG
  and ends with U+E007F CANCEL TAG: the flags of England, Scotland and Wales are written this way.

Control characters (category Cc) other than tab and line breaks are removed too. A single-line field
(a name, a version label, a link) refuses line breaks with a message rather than joining lines, because
a line break in a label that is written to a log forges a line of it.
"""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError

JOINERS = "\u200c\u200d"
BLACK_FLAG = "\U0001f3f4"
CANCEL_TAG = "\U000e007f"
# An emoji tag sequence: the black flag, tag characters (letters and digits), the cancel tag.
FLAG_TAG_SEQUENCE = re.compile(BLACK_FLAG + "[\U000e0020-\U000e007e]+" + CANCEL_TAG)
LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
SINGLE_LINE_MESSAGE = "This must be on one line: remove the line breaks."


def _is_invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return category == "Cf" or (category == "Cc" and char not in "\t\r\n")


def _is_visible(char: str) -> bool:
    return not char.isspace() and not _is_invisible(char)


def clean_text(value: str) -> str:
    """The text without invisible format and control characters (those writing needs are kept)."""
    if not value or value.isascii() and value.isprintable():
        return value  # the common case, at no cost
    kept = []
    protected = {i for match in FLAG_TAG_SEQUENCE.finditer(value) for i in range(match.start(), match.end())}
    for index, char in enumerate(value):
        if index in protected or not _is_invisible(char):
            kept.append(char)
        elif char in JOINERS:
            before = kept[-1] if kept else ""
            after = next((c for c in value[index + 1 :] if c not in JOINERS), "")
            if before and after and _is_visible(before) and _is_visible(after):
                kept.append(char)
    return "".join(kept)


def has_line_break(value: str) -> bool:
    return any(char in LINE_BREAKS for char in value)


def clean_name(value: str) -> str:
    """A one-line value from a file (a name): cleaned, line breaks and runs of spaces made one space."""
    return " ".join(clean_text(value).split())


def refuse_line_breaks(value: str) -> None:
    if value and has_line_break(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="line_break")


def is_multi_line(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.Textarea)


def _cleaning(field: forms.CharField):
    to_python = field.to_python

    def to_python_cleaned(value):
        value = to_python(value)
        if not isinstance(value, str):
            return value
        value = clean_text(value)
        return value.strip() if field.strip else value

    return to_python_cleaned


def prepare_text_field(field: forms.Field) -> None:
    """Make one form field clean what is typed into it (and refuse line breaks if it is one line)."""
    if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
        return
    if getattr(field, "_text_cleaned", False):
        return
    field.to_python = _cleaning(field)
    if not is_multi_line(field):
        field.validators = [*field.validators, refuse_line_breaks]
    field._text_cleaned = True


class CleanTextMixin:
    """For every form taking text: its text fields are cleaned (clean_text), one-line ones refuse breaks.

    Put it first among the bases: `class ReportForm(CleanTextMixin, forms.Form)`. Fields are prepared per
    form instance (deep copies), so declared fields and other forms are untouched.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            prepare_text_field(field)


class CleanTextModelForm(CleanTextMixin, forms.ModelForm):
    """The admin's model forms (HRModelAdmin.form): text cleaned there too."""
