import datetime

import pytest

from symphony_portal.lib.terms import Term, easter_sunday


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2019, datetime.date(2019, 4, 21)),
        (2024, datetime.date(2024, 3, 31)),
        (2027, datetime.date(2027, 3, 28)),
    ],
)
def test_it_knows_easter(year, expected):
    assert easter_sunday(year) == expected


def test_it_maps_terms_to_dates():
    assert (Term("autumn", 2019).starts_on, Term("autumn", 2019).ends_on) == (
        datetime.date(2019, 9, 1),
        datetime.date(2019, 12, 31),
    )
    assert (Term("spring", 2024).starts_on, Term("spring", 2024).ends_on) == (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 3, 31),
    )
    assert (Term("summer", 2024).starts_on, Term("summer", 2024).ends_on) == (
        datetime.date(2024, 4, 1),
        datetime.date(2024, 8, 31),
    )
    assert str(Term("autumn", 2019)) == "Autumn 2019"


def test_it_refuses_an_unknown_term():
    with pytest.raises(ValueError, match="Unknown term"):
        Term("winter", 2019)
