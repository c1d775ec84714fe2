import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

_EMPHASIS = re.compile(r"\*([^*\n]+)\*")


@register.filter
def clause_text(text: str) -> str:
    """A clause's wording as HTML: escaped first, then *asterisked* words shown in italics.

    The asterisks are how the stored wording keeps the original document's emphasis; nothing else
    a writer types can become markup, because escaping comes first.
    """
    return mark_safe(_EMPHASIS.sub(r"<em>\1</em>", escape(text)))  # noqa: S308 - escaped above
