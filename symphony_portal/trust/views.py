"""HR's people pages: upload a CSV of people, preview what it would change, confirm it; and a trust
administrator's reset of a person's second factor."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from . import people_import, permissions, services
from .forms import PeopleImportConfirmForm, PeopleImportUploadForm
from .models import PeopleImport, SecondFactorReset, User

# How many people of each list the preview shows; the counts are always complete.
PREVIEW_LIST_LENGTH = 100


def _own_import(request, pk: int) -> PeopleImport:
    # Another person's upload is "not found", whoever asks: its file and choices are the uploader's.
    return get_object_or_404(PeopleImport.objects.visible_to(request.user), pk=pk)


@login_required
def import_upload(request):
    permissions.check_can_import_people(request.user)
    form = PeopleImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        record = services.upload_people_import(
            form.cleaned_data["text"], filename=form.cleaned_data["file"].name, by=request.user
        )
        messages.success(request, "File uploaded. Nothing has changed yet: check the preview, then confirm.")
        return redirect(record)
    recent = PeopleImport.objects.visible_to(request.user)[:10]
    return render(
        request,
        "trust/peopleimport_upload.html",
        {"form": form, "recent": recent, "columns": people_import.COLUMN_LABELS},
    )


@login_required
def import_preview(request, pk):
    record = _own_import(request, pk)
    permissions.check_can_import_people(request.user)
    plan = people_import.plan(record.content, importer=request.user) if record.is_pending else None
    return render(
        request,
        "trust/peopleimport_preview.html",
        {"record": record, "plan": plan, "form": PeopleImportConfirmForm(), "shown": PREVIEW_LIST_LENGTH},
    )


@login_required
@require_POST
def import_confirm(request, pk):
    record = _own_import(request, pk)
    permissions.check_can_import_people(request.user)
    form = PeopleImportConfirmForm(request.POST)
    if not form.is_valid():
        # A tick without the typed count is not a confirmation: nothing is imported.
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(record)
    deactivate_missing = form.cleaned_data["deactivate_missing"]
    try:
        record = services.confirm_people_import(
            record,
            deactivate_missing=deactivate_missing,
            by=request.user,
            confirmed_deactivate_count=form.cleaned_data["deactivate_count"] if deactivate_missing else None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(record)
    messages.success(
        request,
        f"Imported: {record.created_count} created, {record.updated_count} updated, "
        f"{record.deactivated_count} deactivated, {record.unchanged_count} unchanged.",
    )
    if record.created_count:
        messages.info(
            request,
            f"{record.invitations_sent} invitation{pluralize(record.invitations_sent)} to choose a password "
            "queued: they are sent in the next "
            "minutes, and any the mail server refuses are listed under Mail delivery.",
        )
    return redirect(record)


@login_required
@require_POST
def import_resend_invitations(request, pk):
    record = _own_import(request, pk)
    permissions.check_can_import_people(request.user)
    if record.is_pending:
        messages.error(request, "This file has not been imported yet: nobody has been invited.")
        return redirect(record)
    sent = services.resend_invitations(record, by=request.user)
    messages.success(
        request,
        f"{sent} invitation{pluralize(sent)} sent again to people without a password yet "
        "(not to those whose first invitation is still on its way).",
    )
    return redirect(record)


@login_required
def second_factor_reset(request, pk: int):
    """A trust administrator removes a person's second factor, after confirming; the person is emailed."""
    if not permissions.is_trust_administrator(request.user):
        raise PermissionDenied(permissions.SECOND_FACTOR_RESET_REFUSED)
    person = get_object_or_404(User, pk=pk)
    permissions.check_can_reset_second_factor(request.user, person)
    if request.method == "POST":
        reset = services.reset_second_factor(person, by=request.user)
        messages.success(
            request,
            f"The second factor of {person.full_name} was reset ({reset.removed} removed) and they have been "
            "emailed. They will set up a new one when they next sign in.",
        )
        return redirect("people:second_factor_reset", pk=person.pk)
    authenticators = Authenticator.objects.filter(user_id=person.pk).order_by("type")
    return render(
        request,
        "trust/second_factor_reset.html",
        {
            "person": person,
            "authenticators": authenticators,
            "resets": SecondFactorReset.objects.filter(person=person).select_related("reset_by")[:10],
        },
    )
