"""The policies' permission predicates for templates: ``{% if user|can_manage_reviews %}``."""

from django import template

from .. import permissions

register = template.Library()

register.filter("can_manage_reviews", permissions.can_manage_reviews)
register.filter("can_see_exports", permissions.can_see_exports)
register.filter("can_add_policies", permissions.can_add_policies)
register.filter("can_set_audience", permissions.can_set_audience)
