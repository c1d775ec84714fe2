"""HR's people pages: upload a CSV of people, preview what it would change, confirm it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from . import people_import, permissions, services
from .forms import PeopleImportConfirmForm, PeopleImportUploadForm, TagForm, TagPeopleForm
from .models import PeopleImport, PersonTag, Tag, User

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


# --- Tags HR keeps --------------------------------------------------------------------------------------


@login_required
def tag_list(request):
    permissions.check_can_keep_tags(request.user)
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tag = services.create_tag(
                form.cleaned_data["name"], description=form.cleaned_data["description"], by=request.user
            )
        except ValidationError as error:
            form.add_error("name", error)
        else:
            messages.success(request, f'The tag "{tag}" was added: give it to people below.')
            return redirect(tag)
    tags = Tag.objects.annotate(people=Count("person_tags", filter=Q(person_tags__person__is_active=True)))
    return render(request, "trust/tag_list.html", {"tags": tags, "form": form})


@login_required
def tag_detail(request, slug):
    permissions.check_can_keep_tags(request.user)
    tag = get_object_or_404(Tag, slug=slug)
    form = TagPeopleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added = services.tag_people(tag, form.cleaned_data["emails"], by=request.user)
        already = len(form.cleaned_data["emails"]) - len(added)
        note = f" ({already} already had it)" if already else ""
        messages.success(
            request, f'{len(added)} {pluralize(len(added), "person,people")} given the tag "{tag}"{note}.'
        )
        return redirect(tag)
    carrying = (
        PersonTag.objects.filter(tag=tag, person__is_active=True)
        .select_related("person__school", "added_by")
        .order_by("person__full_name", "pk")
    )
    return render(request, "trust/tag_detail.html", {"tag": tag, "form": form, "carrying": carrying})


@login_required
@require_POST
def tag_remove(request, slug, person_pk):
    permissions.check_can_keep_tags(request.user)
    tag = get_object_or_404(Tag, slug=slug)
    person = get_object_or_404(User, pk=person_pk)
    if services.untag_person(tag, person, by=request.user):
        messages.success(request, f'{person} no longer has the tag "{tag}".')
    else:
        messages.info(request, f'{person} did not have the tag "{tag}": nothing changed.')
    return redirect(tag)
