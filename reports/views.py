"""Pages of the reports app. Every page is personal and confidential: never cached, never in a URL.

Reports are fetched through ``ConcernReport.objects`` scoped to the person (submitted_by / handled_by),
so whoever may not see one gets "not found", whatever the URL.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from policies.selectors import outline
from symphony_portal.lib.csv_export import csv_response

from . import evidence as evidence_files
from . import services
from .forms import NoteForm, PassOnForm, ReportForm, StatusForm, StepAsideForm
from .models import ConcernReport, Evidence, Outcome, ReportEvent, Status
from .permissions import check_can_list_cases, check_can_see_counts, check_can_step_aside
from .selectors import colleagues_matching, counts_by_school, report_counts
from .timeline import timeline

# --- Reporting -----------------------------------------------------------------------------------------


@never_cache
@login_required
def report_new(request):
    version = services.current_policy_version()
    sections = outline(version) if version else []
    results, searched = [], False
    if request.method == "POST" and request.POST.get("action") == "find":
        # A search in the directory: show the form again as typed, without judging it yet.
        form = ReportForm(
            reporter=request.user, sections=sections, initial=ReportForm.initial_from(request.POST)
        )
        query = request.POST.get("colleague_search", "").strip()
        results, searched = colleagues_matching(query, exclude=request.user), bool(query)
    elif request.method == "POST":
        form = ReportForm(request.POST, request.FILES, reporter=request.user, sections=sections)
        if form.is_valid():
            try:
                report = services.submit(
                    form.details(),
                    by=request.user,
                    clause_keys=form.cleaned_data["clauses"],
                    files=form.cleaned_data["evidence"],
                    token=form.cleaned_data["submission_token"],
                )
            except services.AlreadySubmitted as already:
                messages.info(
                    request, "This report had already been sent: here it is. Nothing was sent twice."
                )
                return redirect("reports:status", already.report.public_id)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Thank you. Your report has been received.")
                return redirect("reports:status", report.public_id)
    else:
        form = ReportForm(reporter=request.user, sections=sections)
    if getattr(form, "name_matches", None) and not results:
        # The typed name matches people in the directory: offer them to pick instead.
        results = list(form.name_matches)
    chosen = _chosen_colleague(form, request.user)
    if chosen is not None and chosen not in results:
        results = [chosen, *results]
    return render(
        request,
        "reports/concernreport_form.html",
        {
            "form": form,
            "version": version,
            "sections": sections,
            "results": results,
            "searched": searched,
            "chosen_id": chosen.pk if chosen else None,
            "ask_to_confirm_name": bool(getattr(form, "name_matches", None))
            or bool(form["colleague_name_confirmed"].value()),
            "cited": set(form["clauses"].value() or []),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _chosen_colleague(form: ReportForm, reporter):
    value = form["colleague"].value()
    if not value:
        return None
    try:
        return form.fields["colleague"].queryset.select_related("school").filter(pk=int(value)).first()
    except (TypeError, ValueError):
        return None


@never_cache
@login_required
def my_reports(request):
    reports = ConcernReport.objects.submitted_by(request.user).only(
        "public_id", "reference", "submitted_at", "status"
    )
    return render(request, "reports/concernreport_mine.html", {"reports": reports})


@never_cache
@login_required
def report_status(request, public_id):
    report = get_object_or_404(ConcernReport.objects.submitted_by(request.user), public_id=public_id)
    return render(request, "reports/concernreport_status.html", {"report": report})


# --- Handling ------------------------------------------------------------------------------------------


@never_cache
@login_required
def case_list(request):
    check_can_list_cases(request.user)
    cases = [
        case
        for case in ConcernReport.objects.handled_by(request.user).select_related("school", "handler")
        if not services.may_be_about(case, request.user)
    ]
    cases.sort(key=lambda c: (c.is_closed, not c.needs_acknowledgement, -c.submitted_at.timestamp()))
    return render(request, "reports/concernreport_cases.html", {"cases": cases})


def _case_for(request, public_id) -> ConcernReport:
    report = get_object_or_404(
        ConcernReport.objects.handled_by(request.user).select_related(
            "reporter", "subject", "school", "handler"
        ),
        public_id=public_id,
    )
    if services.may_be_about(report, request.user):
        raise Http404("No case found.")  # a typed-in name that could mean them, recorded only now
    return report


def _render_case(request, report: ConcernReport, *, status_form=None, note_form=None, pass_form=None):
    events = timeline(report)  # the page's openings folded into one line
    bad = any(form is not None and form.errors for form in (status_form, note_form, pass_form))
    return render(
        request,
        "reports/concernreport_case.html",
        {
            "report": report,
            "cited": report.cited_clauses.all(),
            "evidence": report.evidence.all(),
            "events": events,
            # For a typed-in name, whom it may mean (context for the handler).
            "possible_subjects": (
                [] if report.subject_id else list(report.possible_subjects.select_related("school"))
            ),
            "status_form": status_form or (StatusForm(report=report) if not report.is_closed else None),
            "note_form": note_form or NoteForm(),
            "pass_form": pass_form or (PassOnForm() if _may_pass_on(report) else None),
            "Status": Status,
            "Outcome": Outcome,
            "Kind": ReportEvent.Kind,
        },
        status=400 if bad else 200,
    )


def _may_pass_on(report: ConcernReport) -> bool:
    target = services.executive_head_for(report)
    return not report.is_closed and target is not None and target.pk != report.handler_id


@never_cache
@login_required
def case_detail(request, public_id):
    report = _case_for(request, public_id)
    # Roles change: whoever handles the case is checked again each time it is opened.
    if services.recheck_handler(report):
        if not ConcernReport.objects.handled_by(request.user).filter(pk=report.pk).exists():
            messages.info(request, "A case you handled has passed to someone else, as the policy requires.")
            return redirect("reports:cases")
        report = _case_for(request, public_id)
    services.record_opening(report, by=request.user)
    return _render_case(request, report)


@never_cache
@login_required
@require_POST
def case_status(request, public_id):
    report = _case_for(request, public_id)
    if report.is_closed:
        raise PermissionDenied("This case is closed.")
    form = StatusForm(request.POST, report=report)
    if form.is_valid():
        try:
            report = services.change_status(
                report,
                to=form.cleaned_data["to"],
                note=form.cleaned_data["note"],
                outcome=form.cleaned_data["outcome"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The case is now {report.get_status_display().lower()}.")
            return redirect("reports:case", report.public_id)
    return _render_case(request, report, status_form=form)


@never_cache
@login_required
@require_POST
def case_note(request, public_id):
    report = _case_for(request, public_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.add_note(report, note=form.cleaned_data["note"], by=request.user)
        messages.success(request, "Your note has been added to the timeline.")
        return redirect("reports:case", report.public_id)
    return _render_case(request, report, note_form=form)


@never_cache
@login_required
@require_POST
def case_pass_on(request, public_id):
    report = _case_for(request, public_id)
    if not _may_pass_on(report):
        raise PermissionDenied("This case cannot be passed to the Executive Head Teacher.")
    form = PassOnForm(request.POST)
    if form.is_valid():
        try:
            report = services.pass_to_executive_head(
                report, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The case has been passed to {report.handler}.")
            if ConcernReport.objects.handled_by(request.user).filter(pk=report.pk).exists():
                return redirect("reports:case", report.public_id)
            return redirect("reports:cases")
    return _render_case(request, report, pass_form=form)


@never_cache
@login_required
def case_step_aside(request, public_id):
    """The handler steps aside from a case before opening it: a confirmation page, then a POST."""
    report = get_object_or_404(
        ConcernReport.objects.handled_by(request.user).select_related("subject", "school"),
        public_id=public_id,
    )
    if services.may_be_about(report, request.user):
        raise Http404("No case found.")
    check_can_step_aside(request.user, report)
    form = StepAsideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.step_aside(report, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"You have stepped aside from case {report.reference}. It has passed to the "
                f"{report.get_handler_role_display()}, and you no longer see it.",
            )
            return redirect("reports:cases")
    return render(
        request,
        "reports/concernreport_step_aside.html",
        {"report": report, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@never_cache
@login_required
def evidence_download(request, public_id, position):
    report = _case_for(request, public_id)
    item = get_object_or_404(Evidence.objects.select_related("report"), report=report, position=position)
    try:
        handle = evidence_files.open_stored(item.stored_name)
    except (FileNotFoundError, ValueError) as error:
        raise Http404("This file is missing from the store.") from error
    services.record_download(item, by=request.user)
    response = FileResponse(
        handle, as_attachment=True, filename=item.download_name, content_type=item.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- HR: counts only ------------------------------------------------------------------------------------


@never_cache
@login_required
def counts(request):
    check_can_see_counts(request.user)
    return render(
        request,
        "reports/concernreport_counts.html",
        {
            "totals": report_counts(),
            "rows": [_counts_row(row) for row in counts_by_school()],
            "statuses": Status.labels,
            "outcomes": Outcome.labels,
        },
    )


def _counts_row(row: dict) -> dict:
    statuses = [row["by_status"][s] for s in Status.values]
    outcomes = [row["by_outcome"][o] for o in Outcome.values]
    return {
        "school": row["school"],
        "total": row["total"],
        "statuses": statuses,
        "outcomes": outcomes,
        # each count with its column's name, for the label of a stacked card on a phone
        "status_cells": list(zip(Status.labels, statuses, strict=True)),
        "outcome_cells": list(zip(Outcome.labels, outcomes, strict=True)),
    }


@never_cache
@login_required
def counts_csv(request):
    check_can_see_counts(request.user)
    header = ["School", "Total", *Status.labels, *Outcome.labels]
    rows = (
        [row["school"], row["total"], *row["statuses"], *row["outcomes"]]
        for row in map(_counts_row, counts_by_school())
    )
    return csv_response("report-counts.csv", header, rows)
