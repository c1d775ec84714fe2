from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from symphony_portal.admin_site import HRModelAdmin

from .models import FROZEN_MESSAGE, Clause, FrozenVersionError, Policy, PolicyVersion, Section


class FrozenAwareAdmin(HRModelAdmin, SimpleHistoryAdmin):
    """Published and superseded versions (and their parts) open read-only, with the reason shown."""

    def version_of(self, obj):
        raise NotImplementedError

    def is_frozen(self, obj) -> bool:
        return obj is not None and not self.version_of(obj).is_draft

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self.is_frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self.is_frozen(obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "GET" and self.is_frozen(obj):
            self.message_user(request, FROZEN_MESSAGE, level=messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Sections and clauses can only be added to (or moved into) a draft: published versions are not
        # offered, so the form says "not one of the available choices" instead of failing on save.
        if db_field.name == "version":
            kwargs["queryset"] = PolicyVersion.objects.filter(status=PolicyVersion.Status.DRAFT)
        elif db_field.name == "section":
            kwargs["queryset"] = Section.objects.filter(version__status=PolicyVersion.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The models refuse any write to a published version (FrozenVersionError, in save); if one gets
        # that far (a version published while the form was open, an inline), say so instead of a 500.
        # The admin's own transaction has been rolled back by then: nothing was saved.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except FrozenVersionError as error:
            self.message_user(request, " ".join(error.messages), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Policy)
class PolicyAdmin(HRModelAdmin, SimpleHistoryAdmin):
    list_display = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    # Who must acknowledge is set on the policy's own page (policies:policy_audience), where each change
    # is checked and recorded with who made it: not here.
    exclude = [
        "for_employees",
        "for_governors",
        "for_trustees",
        "all_schools",
        "audience_schools",
        "include_central_team",
        "audience_tag",
        "acknowledge_within_days",
        "audience_changed_at",
        "audience_changed_by",
    ]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(FrozenAwareAdmin):
    list_display = ["__str__", "status", "adopted_season", "adopted_year", "review_season", "review_year"]
    list_filter = ["policy", "status"]
    readonly_fields = [
        "status",
        "adopted_title",
        "published_at",
        "published_by",
        "superseded_at",
        "superseded_by",
        "created_at",
    ]

    def version_of(self, obj):
        return obj


@admin.register(Section)
class SectionAdmin(FrozenAwareAdmin):
    list_display = ["__str__", "version", "position"]
    list_filter = ["version__policy", "version"]
    readonly_fields = ["key"]

    def version_of(self, obj):
        return obj.version


@admin.register(Clause)
class ClauseAdmin(FrozenAwareAdmin):
    list_display = ["__str__", "section", "position", "style"]
    list_filter = ["version__policy", "version"]
    search_fields = ["text"]
    readonly_fields = ["key"]

    def version_of(self, obj):
        return obj.version

    def save_model(self, request, obj, form, change):
        if change:
            # An edit here counts as a revision too: someone editing in the portal meanwhile is told.
            obj.revision += 1
        super().save_model(request, obj, form, change)
