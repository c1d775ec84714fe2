"""The trust's permission predicates for templates: ``{% if user|can_use_admin %}``."""

from django import template

from .. import permissions

register = template.Library()

register.filter("can_use_admin", permissions.can_use_admin)
register.filter("can_import_people", permissions.can_import_people)
register.filter("can_keep_tags", permissions.can_keep_tags)
