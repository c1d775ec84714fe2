"""A member of staff with several policies waiting confirms two of them on one page, on a phone."""

import pytest
from playwright.sync_api import Page, expect

from acknowledgements.models import Acknowledgement
from tests.builders import make_version

from .test_acknowledgement_journey import assert_no_axe_violations, sign_in

pytestmark = pytest.mark.browser


def test_it_confirms_two_of_three_waiting_policies_on_one_page_on_a_phone(
    page: Page, base_url, transactional_db, teacher, seed_version
):
    conduct = make_version(label="2025-2028", sections={"Standards": ["Treat everyone with respect."]})
    kcsie = make_version(label="2026", sections={"Everyone": ["Safeguarding is everyone's job."]})
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, "tess.teacher@symphony.test", "tess-password-1", "Tess")
    page.get_by_role("link", name="Acknowledge all 3 on one page").click()
    expect(page.get_by_role("heading", level=1, name="Policies waiting for you")).to_be_visible()
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_label(f"I have read the {conduct.title} 2025-2028").check()
    page.get_by_label(f"I have read the {kcsie.title} 2026").check()
    page.get_by_role("button", name="Record my acknowledgements").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you: your acknowledgement of")
    assert sorted(
        Acknowledgement.objects.filter(person=teacher).values_list("version_id", flat=True)
    ) == sorted([conduct.pk, kcsie.pk])
    # The one left unticked is still waiting, on the same page.
    expect(page.get_by_role("group", name="Social Media Policy 2016-2019")).to_be_visible()
    assert_no_axe_violations(page)
