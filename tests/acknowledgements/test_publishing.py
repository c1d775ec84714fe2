"""Publishing a new version through the review services makes everyone outstanding again."""

import datetime

import pytest

from acknowledgements.models import Acknowledgement
from acknowledgements.selectors import outstanding, waiting_for
from policies import services as review

from .conftest import acknowledged

pytestmark = pytest.mark.django_db


def test_it_makes_everyone_outstanding_again_and_keeps_the_old_records(version, teacher, governor, hr):
    acknowledged(version, teacher, governor, hr)
    assert not outstanding(version).filter(pk__in=[teacher.pk, governor.pk, hr.pk]).exists()

    draft = review.start_draft(version, label="2027-2030", by=hr)
    review.record_approval(
        draft,
        approved_by_body="Board of Trustees",
        approved_on=datetime.date(2026, 11, 20),
        minute_reference="BT/2026/11/4",
        by=hr,
    )
    new = review.publish(draft, by=hr)

    assert set(outstanding(new).values_list("pk", flat=True)) >= {teacher.pk, governor.pk, hr.pk}
    assert waiting_for(teacher) == [new]
    # The acknowledgements of the older version stay on record, unchanged.
    assert Acknowledgement.objects.filter(version=version).count() == 3
    version.refresh_from_db()
    assert version.is_superseded
