"""``{% url_once 'policies:home' %}``: ``{% url %}`` for the links every page repeats (the menu, the brand).

The layout reversed seven or more URLs on every page, tens of microseconds each; their answers never
change while the process runs (symphony_portal.lib.urls.reverse_once says why it is never stale).
"""

from django import template

from symphony_portal.lib.urls import reverse_once

register = template.Library()


@register.simple_tag
def url_once(viewname: str, *args) -> str:
    return reverse_once(viewname, *args)
