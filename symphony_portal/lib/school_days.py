"""School days for acknowledgement deadlines: Monday to Friday.

Holidays are not taken out: the portal has no calendar of each school's holidays (half terms differ from
school to school, and bank holidays alone would be a false precision). HR sets the number of days with
that in mind; README.md says so.
"""

from datetime import date, timedelta
from functools import lru_cache


def is_school_day(day: date) -> bool:
    return day.weekday() < 5


# Both are pure functions of their arguments; a compliance page asks the same few (day, N) for every policy.
@lru_cache(maxsize=4096)
def add_school_days(start: date, days: int) -> date:
    """The day ``days`` school days after ``start`` (``start`` itself is not counted)."""
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if is_school_day(day):
            left -= 1
    return day


@lru_cache(maxsize=1024)
def latest_start_overdue_on(today: date, days: int) -> date:
    """The last start day whose deadline (``days`` school days on) has passed by ``today``.

    Deadlines grow with the start day, so a start on or before this day is overdue, any later one is not.
    """
    start = today - timedelta(days=1)
    while add_school_days(start, days) >= today:  # at most about days * 7 / 5 + 3 steps
        start -= timedelta(days=1)
    return start
