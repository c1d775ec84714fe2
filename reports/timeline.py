"""A case's timeline as the handler reads it: every event, with the page's openings folded into one line.

Each opening of the case page stays in the access log (a ReportEvent of kind OPENED, append-only like
every event); shown one by one they drowned the events that matter, so the timeline shows them as
"Case page opened N times, last by X at T" where the latest opening falls. Status changes, notes, passing
on and downloads stay entries of their own. Three queries however long the timeline is.
"""

from dataclasses import dataclass, field

from .models import ConcernReport, ReportEvent


@dataclass(frozen=True)
class Openings:
    """The case page's openings, as one line of the timeline."""

    count: int
    last: ReportEvent
    # Everyone else who opened it, by name, so the line still says who has looked.
    others: list[str] = field(default_factory=list)
    is_openings: bool = True

    @property
    def at(self):
        return self.last.at


def timeline(report: ConcernReport) -> list:
    """The case's events in order, its openings folded into one `Openings` entry (none if never opened).

    One query: the events are read once, as before, and folded here.
    """
    events, openings = [], []
    for event in report.events.select_related("actor", "assignee", "evidence").order_by("at", "pk"):
        (openings if event.kind == ReportEvent.Kind.OPENED else events).append(event)
    if not openings:
        return events
    last = openings[-1]
    others = sorted({e.actor.full_name for e in openings if e.actor and e.actor_id != last.actor_id})
    folded = Openings(count=len(openings), last=last, others=others)
    place = sum(1 for event in events if (event.at, event.pk) <= (last.at, last.pk))
    return [*events[:place], folded, *events[place:]]
