"""The menu and the home panel ask the same predicate: whoever is offered "My cases" is told what awaits them.

The Chair of Trustees handling a case used to see "My cases" in the menu while the home page said
nothing was waiting for her.
"""

import pytest

from tests.reports.builders import make_report

pytestmark = pytest.mark.django_db

MENU_LINK = '<a class="nav-link" href="/reports/cases/">My cases</a>'


def home(client, person) -> str:
    client.force_login(person)
    return client.get("/").text


def test_it_tells_the_chair_handling_a_case_that_it_awaits_her(client, teacher, exec_head, chair):
    make_report(teacher, exec_head)  # about the Executive Head: the Chair handles it
    page = home(client, chair)
    assert MENU_LINK in page
    assert "1 case awaiting you" in page


def test_it_tells_hr_standing_in_for_the_chair_too(client, teacher, exec_head, hr):
    make_report(teacher, exec_head)  # no Chair: HR handles it
    page = home(client, hr)
    assert MENU_LINK in page and "1 case awaiting you" in page


@pytest.mark.parametrize("who", ["head", "other_head", "exec_head"])
def test_it_offers_a_head_the_list_and_says_when_nothing_awaits(client, request, who):
    page = home(client, request.getfixturevalue(who))
    assert MENU_LINK in page and "No case is awaiting you." in page


@pytest.mark.parametrize("who", ["teacher", "governor", "trustee", "chair", "hr"])
def test_it_says_nothing_of_cases_to_those_without_any(client, request, who):
    page = home(client, request.getfixturevalue(who))
    assert MENU_LINK not in page
    assert "awaiting you" not in page
