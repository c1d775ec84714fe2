from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from symphony_portal.lib.csv_export import csv_response
from symphony_portal.trust.models import School, User

from . import permissions, services
from .forms import (
    DecisionForm,
    EmployeeGroupForm,
    HandoverForm,
    LinkDecisionForm,
    ReviewForm,
    SiteLinkForm,
    SiteRequestForm,
    find_runners,
    possible_runners,
)
from .models import (
    REVIEW_NOTICE_DAYS,
    EmployeeGroup,
    GroupHandover,
    SiteApprovalRequest,
    one_year_after,
    runners_reach,
)

PAGE_SIZE = 25


def _require_staff(user) -> None:
    if not permissions.can_ask_for_approval(user):
        raise PermissionDenied("These pages are for staff of the trust.")


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _requests_with_people():
    return SiteApprovalRequest.objects.select_related("requester", "school", "decided_by", "link_proposed_by")


def _runners_prefetch() -> Prefetch:
    return Prefetch("runners", queryset=User.objects.order_by("full_name"))


@login_required
def register(request):
    """The register of approved sites: whole detail for Heads, the Executive Head and HR; a list for staff."""
    _require_staff(request.user)
    user = request.user
    sites = (
        SiteApprovalRequest.objects.on_register_of(user)
        .select_related("school")
        .prefetch_related(_runners_prefetch())
        .with_active_runner_count()
        .order_by("school__name", "name", "pk")
    )
    schools, chosen = [], None
    if permissions.can_see_every_school(user):
        schools = list(School.objects.order_by("name"))
        chosen = next((s for s in schools if s.slug == request.GET.get("school")), None)
        if chosen:
            sites = sites.filter(school=chosen)
    page = Paginator(sites, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "approvals/site_register.html",
        {
            "page": page,
            "full_detail": permissions.can_see_every_school(user) or bool(user.headed_school_ids),
            "schools": schools,
            "chosen_school": chosen,
            "can_download": permissions.can_download_register(user),
        },
    )


@login_required
def register_csv(request):
    """The whole trust's register as a spreadsheet for HR (sites and employee groups)."""
    if not permissions.can_download_register(request.user):
        raise PermissionDenied("The register download is for HR.")
    sites = (
        SiteApprovalRequest.objects.on_register_of(request.user)
        .select_related("school", "decided_by")
        .prefetch_related(_runners_prefetch())
        .with_active_runner_count()
        .order_by("school__name", "name", "pk")
    )
    groups = EmployeeGroup.objects.visible_to(request.user).select_related("school", "responsible")
    header = [
        "Record",
        "School",
        "Platform",
        "Name",
        "Web address",
        "Purpose",
        "Audience",
        "Run by",
        "Pupils' images",
        "Approved on",
        "Last decided by",
        "Review due on",
        "All runners have left",
    ]

    def rows():
        for site in sites:
            yield [
                "Social media site",
                site.school_name,
                site.get_platform_display(),
                site.name,
                site.link,
                site.purpose,
                site.audience,
                "; ".join(r.full_name for r in site.runners.all()),
                "yes (consent confirmed)" if site.shows_pupil_images else "no",
                site.approved_on,
                site.decided_by,
                site.review_due_on,
                "yes" if site.active_runner_count == 0 else "no",
            ]
        for group in groups.order_by("school__name", "name", "pk"):
            yield [
                "Employee group",
                group.school_name,
                group.get_platform_display(),
                group.name,
                group.link,
                group.purpose,
                "",
                group.responsible.full_name,
                "",
                "",
                "",
                "",
                "yes" if not group.responsible.is_active else "no",
            ]

    return csv_response("social-media-register.csv", header, rows())


@login_required
def request_list(request):
    """One's own requests, those waiting for one's decision, and others one oversees or runs."""
    _require_staff(request.user)
    user = request.user
    mine = _requests_with_people().filter(requester=user)
    waiting = _requests_with_people().waiting_for(user).order_by("submitted_at")
    others = (
        _requests_with_people().visible_to(user).exclude(requester=user).exclude(pk__in=waiting.values("pk"))
    )
    return render(
        request,
        "approvals/request_list.html",
        {
            "mine": list(mine),
            "waiting": list(waiting),
            "others": Paginator(others, PAGE_SIZE).get_page(request.GET.get("page")),
        },
    )


RUNNER_SEARCH = "find_runners"  # the name of the form's "Search" button: look for colleagues, send nothing


def _request_form(request, *, site: SiteApprovalRequest | None = None, initial: dict) -> SiteRequestForm:
    """The request form, bound to what was sent, or, after "Search", unbound but keeping what was typed."""
    user = request.user
    if request.method != "POST":
        return SiteRequestForm(instance=site, initial=initial, requester=user)
    if RUNNER_SEARCH not in request.POST:
        return SiteRequestForm(request.POST, instance=site, requester=user)
    # Nothing is saved and no error is shown on a search: the person is still filling the form in.
    kept = {name: request.POST.get(name, "") for name in SiteRequestForm.base_fields}
    kept["runners"] = request.POST.getlist("runners")
    return SiteRequestForm(instance=site, initial=kept, requester=user)


def _chosen_runners(form: SiteRequestForm) -> list[User]:
    """The colleagues ticked so far, read back through the requester's allowed set (never anyone else)."""
    values = form.data.getlist("runners") if form.is_bound else form.initial.get("runners", [])
    pks = {int(v.pk if isinstance(v, User) else v) for v in values if str(getattr(v, "pk", v)).isdigit()}
    return list(possible_runners(form.requester).filter(pk__in=pks))


def _form_page(request, form: SiteRequestForm, *, site: SiteApprovalRequest | None):
    query = (request.POST.get("runner_q") or request.GET.get("runner_q") or "").strip()[:100]
    chosen = _chosen_runners(form)
    found, found_count = find_runners(request.user, query)
    chosen_pks = {p.pk for p in chosen}
    return render(
        request,
        "approvals/siteapprovalrequest_form.html",
        {
            "form": form,
            "site": site,
            "runner_query": query,
            "chosen_runners": chosen,
            "found_runners": [p for p in found if p.pk not in chosen_pks],
            "found_count": found_count,
            "found_more": found_count > len(found),
            "runners_reach": runners_reach(request.user),
            # named before the rule limited runners to one's school: shown, so nobody vanishes unexplained
            "runners_out_of_reach": [
                p
                for p in (site.runners.order_by("full_name") if site else [])
                if not permissions.can_run_site_for(p, requester=request.user)
            ],
        },
    )


@login_required
def request_create(request):
    _require_staff(request.user)
    form = _request_form(request, initial={"runners": [request.user.pk]})
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        runners = list(data.pop("runners"))
        try:
            site = services.submit_request(request.user, runners=runners, **data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, "Your request has been sent for approval.")
            return redirect(site)
    return _form_page(request, form, site=None)


@login_required
def runner_search(request):
    """Colleagues the signed-in requester may name to run a site, by name: names and schools, nothing else."""
    permissions.check_can_search_runners(request.user)
    query = request.GET.get("q", "").strip()[:100]
    found, count = find_runners(request.user, query)
    return JsonResponse(
        {
            "query": query,
            "count": count,
            "shown": len(found),
            "people": [{"id": p.pk, "name": p.full_name, "school": p.school_name} for p in found],
        }
    )


def _detail(
    request,
    site: SiteApprovalRequest,
    *,
    decision_form=None,
    review_form=None,
    link_form=None,
    link_decision_form=None,
):
    user = request.user
    can_decide = permissions.can_decide(user, site)
    runners = list(site.runners.order_by("full_name"))
    return render(
        request,
        "approvals/siteapprovalrequest_detail.html",
        {
            "site": site,
            "runners": runners,
            "all_runners_left": site.is_approved and not any(r.is_active for r in runners),
            "next_review_on": one_year_after(timezone.localdate()),
            "events": list(site.events.select_related("by")),
            "decision_form": (decision_form or DecisionForm()) if can_decide and site.is_waiting else None,
            "review_form": (review_form or ReviewForm()) if can_decide and site.is_approved else None,
            "link_decision_form": (
                (link_decision_form or LinkDecisionForm())
                if can_decide and site.has_address_waiting
                else None
            ),
            "link_form": (
                (link_form or SiteLinkForm(instance=site))
                if site.is_approved and permissions.can_record_link(user, site)
                else None
            ),
            "can_edit": site.can_be_changed and site.requester_id == user.pk,
        },
    )


@login_required
def request_detail(request, pk):
    site = get_object_or_404(_requests_with_people().visible_to(request.user), pk=pk)
    return _detail(request, site)


@login_required
def request_edit(request, pk):
    site = get_object_or_404(_requests_with_people().visible_to(request.user), pk=pk)
    if site.requester_id != request.user.pk:
        raise PermissionDenied("Only the person who asked can change the request.")
    if not site.can_be_changed:
        messages.error(request, "This request can only be changed after the Head asks for changes.")
        return redirect(site)
    form = _request_form(request, site=site, initial={"runners": [p.pk for p in site.runners.all()]})
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        runners = list(data.pop("runners"))
        try:
            services.resubmit_request(site, by=request.user, runners=runners, **data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, "Your changed request has been sent for approval again.")
            return redirect(site)
    return _form_page(request, form, site=site)


@login_required
@require_POST
def request_decide(request, pk):
    site = get_object_or_404(_requests_with_people().visible_to(request.user), pk=pk)
    if not permissions.can_decide(request.user, site):
        raise PermissionDenied("Only the Head of the requester's school decides this request.")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, site, decision_form=form)
    try:
        site = services.decide_request(
            site, form.cleaned_data["outcome"], by=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, f"Decision recorded: {site.get_status_display().lower()}. The requester is emailed."
        )
    return redirect(site)


@login_required
@require_POST
def site_review(request, pk):
    site = get_object_or_404(_requests_with_people().visible_to(request.user), pk=pk)
    if not permissions.can_decide(request.user, site):
        raise PermissionDenied("Only the Head of the site's school re-approves it.")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _detail(request, site, review_form=form)
    note = form.cleaned_data["note"]
    try:
        if form.cleaned_data["outcome"] == "reapprove":
            site = services.reapprove_site(site, by=request.user, note=note)
            messages.success(request, f"Site re-approved until {site.review_due_on:%-d %B %Y}.")
        else:
            services.withdraw_site(site, by=request.user, note=note)
            messages.success(request, "Site withdrawn from the register. The requester is emailed.")
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect(site)


@login_required
@require_POST
def site_link(request, pk):
    site = get_object_or_404(_requests_with_people().visible_to(request.user), pk=pk)
    if not permissions.can_record_link(request.user, site):
        raise PermissionDenied("Only the requester or a named runner records the site's address.")
    form = SiteLinkForm(request.POST, instance=SiteApprovalRequest(link=site.link))
    if not form.is_valid():
        return _detail(request, site, link_form=form)
    try:
        site = services.record_site_link(site, by=request.user, link=form.cleaned_data["link"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if site.has_address_waiting:
            messages.success(
                request,
                "The new web address is sent to the Head for approval. Until they approve it, the register "
                "shows the approved address.",
            )
        else:
            messages.success(request, "The site's web address has been recorded.")
    return redirect(site)


@login_required
@require_POST
def site_link_decide(request, pk):
    site = get_object_or_404(_requests_with_people().visible_to(request.user), pk=pk)
    if not permissions.can_decide(request.user, site):
        raise PermissionDenied("Only the Head of the site's school approves its new address.")
    form = LinkDecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, site, link_decision_form=form)
    approve = form.cleaned_data["outcome"] == "approve"
    try:
        services.decide_site_link(site, approve=approve, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            "The new web address is approved and on the register."
            if approve
            else "The approved address is kept. The requester is emailed.",
        )
    return redirect(site)


@login_required
def due_list(request):
    """Sites the Head must re-approve soon (or already should have), and sites nobody runs any more."""
    user = request.user
    permissions.check_can_decide_requests(user)
    mine = SiteApprovalRequest.objects.decidable_by(user).select_related("school")
    due = mine.due_for_review().with_active_runner_count().order_by("review_due_on", "pk")
    unrun = mine.approved().runners_all_left().order_by("school__name", "name")
    return render(
        request,
        "approvals/siteapprovalrequest_due_list.html",
        {
            "due": Paginator(due, PAGE_SIZE).get_page(request.GET.get("page")),
            "unrun": list(unrun),
            "notice_days": REVIEW_NOTICE_DAYS,
        },
    )


@login_required
def group_list(request):
    _require_staff(request.user)
    groups = EmployeeGroup.objects.visible_to(request.user).select_related("responsible", "school")
    offers = GroupHandover.objects.filter(
        offered_to=request.user, status=GroupHandover.Status.OFFERED
    ).select_related("group", "offered_by")
    return render(
        request,
        "approvals/employeegroup_list.html",
        {"page": Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page")), "offers": list(offers)},
    )


@login_required
def group_create(request):
    _require_staff(request.user)
    form = EmployeeGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.register_group(request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, "Group registered. You are recorded as responsible for monitoring it.")
            return redirect(group)
    return render(request, "approvals/employeegroup_form.html", {"form": form})


def _groups_for(user):
    return EmployeeGroup.objects.visible_to(user).select_related("responsible", "school", "registered_by")


def _group_detail(request, group: EmployeeGroup, *, handover_form=None):
    handovers = list(group.handovers.select_related("offered_by", "offered_to"))
    is_responsible = group.responsible_id == request.user.pk
    return render(
        request,
        "approvals/employeegroup_detail.html",
        {
            "group": group,
            "handovers": handovers,
            "open_offer": next((h for h in handovers if h.is_open), None),
            "handover_form": (handover_form or HandoverForm(offered_by=request.user))
            if is_responsible
            else None,
        },
    )


@login_required
def group_detail(request, pk):
    group = get_object_or_404(_groups_for(request.user), pk=pk)
    return _group_detail(request, group)


@login_required
@require_POST
def group_handover(request, pk):
    group = get_object_or_404(_groups_for(request.user), pk=pk)
    if group.responsible_id != request.user.pk:
        raise PermissionDenied("Only the person responsible for the group can hand it over.")
    form = HandoverForm(request.POST, offered_by=request.user)
    if not form.is_valid():
        return _group_detail(request, group, handover_form=form)
    colleague = form.cleaned_data["offered_to"]
    try:
        services.offer_group(group, by=request.user, to=colleague)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, f"Hand-over offered to {colleague.full_name}. You stay responsible until they accept."
        )
    return redirect(group)


@login_required
@require_POST
def handover_answer(request, pk):
    visible_groups = EmployeeGroup.objects.visible_to(request.user)
    handover = get_object_or_404(
        GroupHandover.objects.filter(group__in=visible_groups).select_related("group"), pk=pk
    )
    if handover.offered_to_id != request.user.pk:
        raise PermissionDenied("Only the colleague it was offered to can answer this offer.")
    answer = request.POST.get("answer")
    try:
        if answer == "accept":
            services.accept_handover(handover, by=request.user)
            messages.success(request, f"You are now responsible for monitoring {handover.group.name}.")
        elif answer == "decline":
            services.decline_handover(handover, by=request.user)
            messages.success(request, "Offer declined. Responsibility stays where it was.")
        else:
            messages.error(request, "Choose to accept or decline the offer.")
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect(handover.group)
