from django.contrib import admin

from symphony_portal.admin_site import HRModelAdmin

from .models import Acknowledgement, Reminder


class ReadOnlyAdmin(HRModelAdmin):
    """HR can look records up; nobody adds, changes or deletes them here (they are append-only)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ["person", "version", "acknowledged_at", "kind", "school_name"]
    list_filter = ["version", "kind", "school"]
    search_fields = ["person__full_name", "person__email"]
    list_select_related = ["person", "version__policy"]
    date_hierarchy = "acknowledged_at"


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "version", "about", "school", "sent_at"]
    list_filter = ["about", "version"]
    search_fields = ["recipient__full_name", "recipient__email"]
    list_select_related = ["recipient", "version__policy", "school"]
