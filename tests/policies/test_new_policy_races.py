"""The same policy added twice at once (a double click, two HR people) makes one policy, on PostgreSQL."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from policies import importing, services
from policies.models import Policy, PolicyVersion
from symphony_portal.lib.terms import Term
from symphony_portal.trust.models import Role
from tests.builders import make_person
from tests.policies import documents
from tests.policies.test_races import HEAD_STARTS, at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so requests cannot race there",
    ),
]


@pytest.mark.parametrize("head_start", HEAD_STARTS)
def test_it_adds_a_policy_confirmed_twice_at_once_only_once(head_start):
    first, second = make_person("Hana HR", roles=(Role.HR,)), make_person("Hugo HR", roles=(Role.HR,))
    document = importing.read_document(documents.small_docx(), filename="code.docx")

    def add(by, title):
        return services.create_policy(
            title=title, label="2026-2029", review_term=Term("autumn", 2029), document=document, by=by
        )

    outcomes = at_once(
        lambda: add(first, "Staff Code of Conduct"),
        lambda: add(second, "Staff code of conduct"),
        head_start=head_start,
    )

    made = [o for o in outcomes if isinstance(o, PolicyVersion)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, outcomes
    assert "already in the library" in refused[0].messages[0] or "a moment ago" in refused[0].messages[0]
    assert Policy.objects.count() == 1
    assert PolicyVersion.objects.count() == 1
    assert made[0].clauses.count() == 4
