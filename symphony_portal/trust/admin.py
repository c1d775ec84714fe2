"""Schools and people in the admin, for HR; roles that read cases are changed by trust administrators.

HR edits people's ordinary details. Granting or removing a role (Heads, the Executive Head, the Chair,
HR) goes through ``services.grant_role``/``remove_role``, which only a trust administrator may call;
nobody sets another person's password here (a reset email is the way) and only a trust administrator
touches the admin flags. A refused change is said plainly and changes nothing.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from symphony_portal.admin_site import HRModelAdmin

from . import permissions, services
from .forms import PersonChangeForm, PersonCreationForm
from .models import Role, RoleAssignment, RoleChange, School, User

# Fields of a person only a trust administrator may change (Django's admin would offer them).
ADMIN_FLAGS = ("is_staff", "is_superuser", "groups", "user_permissions")
# The role inline's form prefix (Django names it after the relation from a person to their roles).
ROLES_PREFIX = RoleAssignment._meta.get_field("user").remote_field.get_accessor_name()


@admin.register(School)
class SchoolAdmin(HRModelAdmin, SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(RoleChange)
class RoleChangeAdmin(HRModelAdmin):
    """The record of every grant and removal of a role: read here, written only by the role services."""

    list_display = ["changed_at", "action", "role", "school", "person", "changed_by"]
    list_filter = ["action", "role"]
    list_select_related = ["person", "school", "changed_by"]
    search_fields = ["person__full_name", "person__email"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RoleAssignmentInline(admin.TabularInline):
    """Roles are granted (a new row) or removed (delete), never edited in place, by trust administrators."""

    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["school"]

    def has_view_permission(self, request, obj=None):
        return permissions.can_use_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return permissions.can_change_roles(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.can_change_roles(request.user)


class RoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        if self.value() in Role.values:
            return queryset.holding(self.value())
        return queryset


def _asks_to_change_roles(post) -> bool:
    """Whether a submitted person form adds or removes a role (the inline's rows)."""
    try:
        total = int(post.get(f"{ROLES_PREFIX}-TOTAL_FORMS", 0))
        initial = int(post.get(f"{ROLES_PREFIX}-INITIAL_FORMS", 0))
    except ValueError:
        return True  # a tampered form: refuse rather than guess
    added = any(post.get(f"{ROLES_PREFIX}-{i}-role") for i in range(initial, min(total, initial + 1000)))
    removed = any(post.get(f"{ROLES_PREFIX}-{i}-DELETE") for i in range(min(initial, 1000)))
    return added or removed


@admin.register(User)
class UserAdmin(HRModelAdmin, SimpleHistoryAdmin, BaseUserAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    ordering = ["full_name"]
    list_display = ["full_name", "email", "kind", "school", "job_title", "is_active"]
    list_filter = ["kind", "school", "is_active", RoleFilter]
    search_fields = ["full_name", "email", "job_title"]
    inlines = [RoleAssignmentInline]
    fieldsets = [
        (
            None,
            {
                "fields": ["email"],
                "description": (
                    "Nobody sets another person's password: they choose their own from the invitation or "
                    "a password reset email (“Forgotten your password?” on the sign-in page)."
                ),
            },
        ),
        ("Person", {"fields": ["full_name", "kind", "school", "job_title"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "kind", "school", "job_title"],
                "description": "The person chooses their password from the invitation emailed to them.",
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = []

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return permissions.can_use_admin(request.user)
        return permissions.can_change_account(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not permissions.can_change_admin_flags(request.user):
            fields += ["is_staff", "is_superuser"]
        if obj is not None and not permissions.can_change_sign_in_address(request.user, obj):
            fields.append("email")
        if obj is not None and not permissions.can_change_active_flag(request.user, obj):
            fields.append("is_active")
        return fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            refusal = self._refusal(request)
            if refusal:
                messages.error(request, refusal)
                return HttpResponseRedirect(request.get_full_path())
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _refusal(self, request) -> str | None:
        """Why a submitted person form is refused as a whole (nothing of it is saved), if it is."""
        flags_sent = any(field in request.POST for field in ADMIN_FLAGS)
        if flags_sent and not permissions.can_change_admin_flags(request.user):
            return permissions.FLAGS_REFUSED
        if not permissions.can_change_roles(request.user) and _asks_to_change_roles(request.POST):
            return permissions.ROLE_CHANGE_REFUSED
        return None

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()  # until they choose one from the invitation
        elif "school" in form.changed_data:  # moved: a policy of chosen schools counts from today
            obj.school_since = timezone.now()
        super().save_model(request, obj, form, change)
        if not change:
            services.invite(obj)  # an outbox row in the admin's transaction

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        # Roles change only through the service: checked, recorded and announced.
        formset.save(commit=False)
        for deleted in formset.deleted_objects:
            # Read again: the form's copy of a row shown read-only may have lost its fields.
            assignment = RoleAssignment.objects.select_related("user", "school").get(pk=deleted.pk)
            services.remove_role(assignment.user, assignment.role, school=assignment.school, by=request.user)
        for assignment in formset.new_objects:
            services.grant_role(form.instance, assignment.role, school=assignment.school, by=request.user)

    def user_change_password(self, request, id, form_url=""):
        # Nobody sets another person's password (not even a trust administrator): a reset email is the way.
        messages.error(request, permissions.PASSWORD_REFUSED)
        if permissions.can_use_admin(request.user):
            return HttpResponseRedirect(reverse("admin:trust_user_change", args=[id]))
        raise PermissionDenied(permissions.PASSWORD_REFUSED)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting a person to an earlier record would bring back old flags and sign-in addresses.
        messages.error(request, "A person's earlier record can be read here, not restored.")
        return HttpResponseRedirect(reverse("admin:trust_user_history", args=[object_id]))
