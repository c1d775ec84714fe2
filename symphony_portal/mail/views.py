"""HR's mail delivery page: the emails that failed or keep retrying, with "try again"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import services
from .models import OutgoingEmail
from .permissions import check_can_see_mail_delivery

PAGE_SIZE = 100


@login_required
def delivery(request):
    check_can_see_mail_delivery(request.user)
    counts = dict(OutgoingEmail.objects.values_list("status").annotate(n=Count("pk")).order_by())
    problems = (
        OutgoingEmail.objects.needing_attention()
        .order_by("-last_attempt_at", "-pk")
        .only(
            "to",
            "subject",
            "status",
            "attempts",
            "last_attempt_at",
            "next_attempt_at",
            "server_answer",
            "created_at",
        )
    )
    page = Paginator(problems, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mail/delivery.html",
        {
            "page": page,
            "counts": {status: counts.get(status, 0) for status in OutgoingEmail.Status.values},
            "Status": OutgoingEmail.Status,
        },
    )


@login_required
@require_POST
def try_again(request, pk):
    check_can_see_mail_delivery(request.user)
    email = get_object_or_404(OutgoingEmail, pk=pk)
    try:
        services.try_again(email, by=request.user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, f"The email to {email.to} is queued again: it is sent in the next minutes.")
    return redirect("mail:delivery")
