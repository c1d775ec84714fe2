from django import template

from symphony_portal.mail import permissions

register = template.Library()


@register.filter
def can_see_mail_delivery(user) -> bool:
    return permissions.can_see_mail_delivery(user)
