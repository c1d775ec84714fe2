"""HR's people pages: upload a CSV of people, preview what it would change, confirm it; and a trust
administrator's reset of a person's second factor."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from . import import_jobs, people_import, permissions, services
from .forms import PeopleImportConfirmForm, PeopleImportUploadForm, TagForm, TagPeopleForm
from .models import PeopleImport, PeopleImportJob, PersonTag, SecondFactorReset, Tag, User

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
    # One query: whether a confirmation of each is being applied now (a stalled one shows as such later).
    applying = PeopleImportJob.objects.unfinished().filter(people_import=OuterRef("pk"))
    recent = PeopleImport.objects.visible_to(request.user).annotate(applying=Exists(applying))[:10]
    return render(
        request,
        "trust/peopleimport_upload.html",
        {"form": form, "recent": recent, "columns": people_import.COLUMN_LABELS},
    )


@login_required
def import_preview(request, pk):
    """The import's page: its preview, then the progress of its confirmation, then its outcome."""
    record = _own_import(request, pk)
    permissions.check_can_import_people(request.user)
    job = record.jobs.first()  # the latest confirmation, if any
    working = job is not None and job.is_working
    plan = None
    if record.is_pending and not working:
        plan = people_import.plan(record.content, importer=request.user)
    response = render(
        request,
        "trust/peopleimport_preview.html",
        {
            "record": record,
            "plan": plan,
            "job": job,
            "working": working,
            "form": PeopleImportConfirmForm(),
            "shown": PREVIEW_LIST_LENGTH,
            "refresh_seconds": REFRESH_SECONDS,
        },
    )
    if working:
        response["Cache-Control"] = "no-store"  # a refresh must ask the server again
    return response


# While an import is applied, its page asks for itself again this often (a script, or without one the
# <noscript> refresh in its head).
REFRESH_SECONDS = 2


@login_required
@require_POST
def import_confirm(request, pk):
    """Queue the import's application (a task): this request only records the job, then shows its page."""
    record = _own_import(request, pk)
    permissions.check_can_import_people(request.user)
    form = PeopleImportConfirmForm(request.POST)
    if not form.is_valid():
        # A tick without the typed count is not a confirmation: nothing is imported.
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(record)
    deactivate_missing = form.cleaned_data["deactivate_missing"]
    try:
        job, created = import_jobs.request_import(
            record,
            deactivate_missing=deactivate_missing,
            confirmed_deactivate_count=form.cleaned_data["deactivate_count"] if deactivate_missing else None,
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(record)
    if created:
        messages.success(request, "The import is being applied. This page shows when it is done.")
    else:
        asked = timezone.localtime(job.requested_at)
        messages.info(
            request,
            f"This file is already being applied (confirmed at {asked:%H:%M}): nothing new was started. "
            "This page shows when it is done.",
        )
    return redirect(record)


@login_required
@require_safe
def import_template(request):
    """A CSV to start from: the header row and one example row, HR only."""
    permissions.check_can_import_people(request.user)
    response = HttpResponse(people_import.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people-template.csv"'
    return response


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
