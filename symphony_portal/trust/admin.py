from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from symphony_portal.admin_site import HRModelAdmin

from .forms import PersonChangeForm, PersonCreationForm
from .models import RoleAssignment, School, User


@admin.register(School)
class SchoolAdmin(HRModelAdmin, SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["school"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or request.user.is_hr

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


@admin.register(User)
class UserAdmin(HRModelAdmin, SimpleHistoryAdmin, BaseUserAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    ordering = ["full_name"]
    list_display = ["full_name", "email", "kind", "school", "job_title", "is_active"]
    list_filter = ["kind", "school", "is_active", "role_assignments__role"]
    search_fields = ["full_name", "email", "job_title"]
    inlines = [RoleAssignmentInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "kind", "school", "job_title"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "kind", "school", "job_title", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = []

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser may hand out superuser or admin flags.
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_staff", "is_superuser"]
        return fields
