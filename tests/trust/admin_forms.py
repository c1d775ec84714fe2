"""Submitting an admin page as a browser would: every field of the page's form, as it stands."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    """The named fields of a page's main form, with the values a browser would send."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_value: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select, self._select_value, self._select_first = name, None, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._select_value = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            chosen = self._select_value if self._select_value is not None else self._select_first or ""
            self.data.setdefault(self._select, []).append(chosen)
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_data(page: str) -> dict[str, str | list[str]]:
    """The fields of the page (search boxes and the language form aside), ready for ``client.post``."""
    parser = _FormFields()
    parser.feed(page)
    data = {k: v[0] if len(v) == 1 else v for k, v in parser.data.items() if k not in ("q", "next")}
    return data
