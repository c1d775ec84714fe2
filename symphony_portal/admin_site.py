"""The admin: HR's back office for schools, people and policies. It shows nothing of reports.

No report model is registered; nothing can be deleted here (people are deactivated, records stay), so
no page ever lists the objects related to a person, a school or a policy; and the "view on site"
shortcut only follows objects of the models registered here.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import Http404
from django.urls import path

from symphony_portal.lib.text import CleanTextModelForm

# This module is imported while the apps load (PortalAdminConfig), before any model can be: the
# trust's permissions and the content types are imported where they are used.


def _can_use_admin(user) -> bool:
    from symphony_portal.trust.permissions import can_use_admin

    return can_use_admin(user)


class PortalAdminSite(admin.AdminSite):
    """The admin is HR's back office: open to HR (and trust administrators), not to every member of staff."""

    site_header = "Symphony policy portal: administration"
    site_title = "Symphony policy portal"
    index_title = "HR administration"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Deleting in bulk lists every related object: the admin deletes nothing.
        self.disable_action("delete_selected")

    def has_permission(self, request) -> bool:
        return _can_use_admin(request.user)

    def login(self, request, extra_context=None):
        # One way in: the portal's sign-in, with django-axes and the second factor. The admin's own form
        # would start a session on a password alone.
        from django.contrib.auth.views import redirect_to_login
        from django.urls import reverse

        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))

    def get_urls(self):
        # Django's "view on site" shortcut (admin/r/<content type>/<id>/) would follow any model's
        # object, a report's included: only the models registered here may be followed.
        shortcut = path("r/<int:content_type_id>/<path:object_id>/", self.admin_view(self._view_on_site))
        return [shortcut, *super().get_urls()]

    def _view_on_site(self, request, content_type_id, object_id):
        from django.contrib.contenttypes.models import ContentType
        from django.contrib.contenttypes.views import shortcut

        content_type = ContentType.objects.filter(pk=content_type_id).first()
        if content_type is None or content_type.model_class() not in self._registry:
            raise Http404("Not found.")
        return shortcut(request, content_type_id, object_id)


class PortalAdminConfig(AdminConfig):
    default_site = "symphony_portal.admin_site.PortalAdminSite"


class HRModelAdmin(admin.ModelAdmin):
    """Model pages for HR: HR manages schools, people and policies. Nothing is deleted here."""

    form = CleanTextModelForm  # invisible characters stripped, one-line fields one line (lib/text.py)

    def has_module_permission(self, request):
        return _can_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return _can_use_admin(request.user)

    def has_add_permission(self, request, *args):
        return _can_use_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return _can_use_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        # A delete page lists every object related to the one deleted (a person's reports among
        # them): people are deactivated instead, drafts are discarded in the portal.
        return False
