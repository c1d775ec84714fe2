"""The portal's URLs plus two baselines served by the same server from the same database."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import include, path

from symphony_portal.trust.models import User
from symphony_portal.urls import urlpatterns as portal_urlpatterns


@login_required
def bare(request):
    """A small template for a signed-in person: the least any page of the portal costs."""
    return render(request, "bench/bare.html")


@login_required
def bare_in_layout(request):
    """The same small template inside the portal's layout (base.html: menu, messages, footer)."""
    return render(request, "bench/bare_in_layout.html")


@login_required
def table(request):
    """A plain 3,000-row table of people: the least a long list costs."""
    rows = User.objects.select_related("school").order_by("full_name", "pk")[:3000]
    return render(request, "bench/table.html", {"rows": rows})


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/bare-in-layout/", bare_in_layout),
    path("bench/table/", table),
    path("", include(portal_urlpatterns)),
]
