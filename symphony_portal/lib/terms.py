"""School terms in England, as the policy names them ("Autumn 2016", "Autumn 2019").

The rule the portal uses (README.md states it too):
- Autumn: 1 September to 31 December of the year.
- Spring: 1 January to Easter Sunday of the year.
- Summer: Easter Monday to 31 August of the year.
Easter is the Western (Gregorian) Easter Sunday.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

SEASONS = ("spring", "summer", "autumn")


def easter_sunday(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@dataclass(frozen=True)
class Term:
    season: str
    year: int

    def __post_init__(self):
        if self.season not in SEASONS:
            raise ValueError(f"Unknown term {self.season!r}: expected one of {', '.join(SEASONS)}.")

    def __str__(self) -> str:
        return f"{self.season.capitalize()} {self.year}"

    @property
    def starts_on(self) -> date:
        if self.season == "spring":
            return date(self.year, 1, 1)
        if self.season == "summer":
            return easter_sunday(self.year) + timedelta(days=1)
        return date(self.year, 9, 1)

    @property
    def ends_on(self) -> date:
        if self.season == "spring":
            return easter_sunday(self.year)
        if self.season == "summer":
            return date(self.year, 8, 31)
        return date(self.year, 12, 31)


@dataclass(frozen=True)
class ReviewStatus:
    """Where a review stands on a given day: upcoming, due (inside the term) or overdue (after it)."""

    term: Term
    today: date

    @cached_property  # asked several times per badge (its class, its words); a frozen dataclass allows it
    def state(self) -> str:
        if self.today < self.term.starts_on:
            return "upcoming"
        if self.today <= self.term.ends_on:
            return "due"
        return "overdue"

    @property
    def label(self) -> str:
        if self.state == "upcoming":
            return f"Review upcoming: due {self.term} (from {self.term.starts_on:%-d %B %Y})"
        if self.state == "due":
            return f"Review due this term ({self.term}, until {self.term.ends_on:%-d %B %Y})"
        return f"Review overdue since {self.term.ends_on:%-d %B %Y} (end of {self.term})"

    @property
    def days_until_start(self) -> int:
        return (self.term.starts_on - self.today).days


NUMBER_WORDS = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


def _count(n: int, unit: str) -> str:
    word = NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)
    return f"{'a' if n == 1 and unit != 'day' else word} {unit}{'' if n == 1 else 's'}"


def how_long(days: int) -> str:
    """A span of days in words, as people say it: "today", "3 days", "2 weeks", "5 months", "over ten years".

    For the time something has waited ("since 1 September 2016 (over ten years)"), not for deadlines: it
    rounds down, so it never overstates.
    """
    if days <= 0:
        return "today"
    if days < 14:
        return f"{days} day{'' if days == 1 else 's'}"
    if days < 61:
        return _count(days // 7, "week")
    if days < 365:
        return _count(days // 30, "month")
    years, rest = divmod(days, 365)
    return ("over " if rest >= 30 else "") + _count(years, "year")
