"""Reads of reports that other pages and apps share: counts only, never names or text.

``report_counts`` is what other apps (the sign-off pack) may read about reports; nothing else of this
app should be imported by them.
"""

from datetime import datetime

from django.db.models import Count

from symphony_portal.trust.models import CENTRAL_TEAM as TRUST_CENTRAL_TEAM
from symphony_portal.trust.models import User

from . import subjects
from .models import ConcernReport, Outcome, Status

CENTRAL_TEAM = TRUST_CENTRAL_TEAM  # the trust's one name for the people of no school


def _between(since: datetime | None, until: datetime | None):
    reports = ConcernReport.objects.all()
    if since is not None:
        reports = reports.filter(submitted_at__gte=since)
    if until is not None:
        reports = reports.filter(submitted_at__lt=until)
    return reports


def report_counts(*, since: datetime | None = None, until: datetime | None = None) -> dict:
    """How many reports were made in [since, until), by status and by outcome. Two queries.

    {"total": 3, "by_status": {"received": 1, "under_review": 1, "closed": 1},
     "by_outcome": {"no_further_action": 1, "informal_advice": 0, ...}}
    Every status and outcome is present, with 0 when there is none.
    """
    reports = _between(since, until)
    by_status = dict.fromkeys(Status.values, 0)
    for row in reports.values("status").annotate(n=Count("pk")).order_by():
        by_status[row["status"]] = row["n"]
    by_outcome = dict.fromkeys(Outcome.values, 0)
    for row in reports.filter(status=Status.CLOSED).values("outcome").annotate(n=Count("pk")).order_by():
        by_outcome[row["outcome"]] = row["n"]
    return {"total": sum(by_status.values()), "by_status": by_status, "by_outcome": by_outcome}


def counts_by_school(*, since: datetime | None = None, until: datetime | None = None) -> list[dict]:
    """One row per school (and the central trust team) that has reports: counts by status and outcome.

    One query, however many reports and schools there are.
    """
    rows: dict[str, dict] = {}
    grouped = (
        _between(since, until)
        .values("school__name", "status", "outcome")
        .annotate(n=Count("pk"))
        .order_by("school__name")
    )
    for row in grouped:
        school = row["school__name"] or CENTRAL_TEAM
        entry = rows.setdefault(
            school,
            {
                "school": school,
                "total": 0,
                "by_status": dict.fromkeys(Status.values, 0),
                "by_outcome": dict.fromkeys(Outcome.values, 0),
            },
        )
        entry["total"] += row["n"]
        entry["by_status"][row["status"]] += row["n"]
        if row["outcome"]:
            entry["by_outcome"][row["outcome"]] += row["n"]
    return sorted(rows.values(), key=lambda entry: (entry["school"] == CENTRAL_TEAM, entry["school"]))


def colleagues_matching(query: str, *, exclude: User, limit: int = 20) -> list[User]:
    """Active people whose name contains every word typed, then those the words could mean written another
    way ("Lin, David", "Mr D. Lin", a slip: reports/subjects.py), for the colleague picker. Two queries."""
    words = query.split()[:5]
    if not words:
        return []
    active = User.objects.active().exclude(pk=exclude.pk).select_related("school").order_by("full_name", "pk")
    people = active
    for word in words:
        people = people.filter(full_name__icontains=word)
    found = list(people[:limit])
    if len(found) < limit:
        found += [p for p in subjects.people_named(query, among=active) if p not in found][
            : limit - len(found)
        ]
    return found
