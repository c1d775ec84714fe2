from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from symphony_portal.lib.text import CleanTextModelForm


class PortalAdminSite(admin.AdminSite):
    """The admin is HR's back office: open to HR (and superusers), not to every member of staff."""

    site_header = "Symphony policy portal: administration"
    site_title = "Symphony policy portal"
    index_title = "HR administration"

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or user.is_hr)


class PortalAdminConfig(AdminConfig):
    default_site = "symphony_portal.admin_site.PortalAdminSite"


class HRModelAdmin(admin.ModelAdmin):
    """Model pages for HR: HR manages schools, people, roles and policies."""

    form = CleanTextModelForm  # invisible characters stripped, one-line fields one line (lib/text.py)

    def _is_hr(self, request) -> bool:
        return request.user.is_active and (request.user.is_superuser or request.user.is_hr)

    def has_module_permission(self, request):
        return self._is_hr(request)

    def has_view_permission(self, request, obj=None):
        return self._is_hr(request)

    def has_add_permission(self, request, *args):
        return self._is_hr(request)

    def has_change_permission(self, request, obj=None):
        return self._is_hr(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_hr(request)
