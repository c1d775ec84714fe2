"""policies.services: HR drafts the next version, edits it, records the approval and publishes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from policies import services
from policies.models import Clause, FrozenVersionError, PolicyVersion, Section
from tests.builders import make_version

pytestmark = pytest.mark.django_db

DRAFT = PolicyVersion.Status.DRAFT


@pytest.fixture
def current():
    return make_version(
        label="2016-2019",
        sections={"Purpose": ["Alpha.", "Bravo."], "Use": ["Charlie.", "Delta.", "Echo."]},
        applies_to="All staff.",
    )


@pytest.fixture
def draft(current, hr):
    return services.start_draft(current, label="2026-2029", by=hr)


def texts(version) -> dict[str, list[str]]:
    return {
        s.heading: list(s.clauses.order_by("position").values_list("text", flat=True))
        for s in version.sections.order_by("position")
    }


def test_it_copies_every_section_and_clause_keeping_their_keys(current, draft, hr):
    assert draft.is_draft and draft.continues == current and draft.label == "2026-2029"
    assert draft.applies_to == "All staff." and draft.review_term == current.review_term
    assert texts(draft) == texts(current)
    old_keys = set(current.clauses.values_list("key", "position", "text"))
    assert set(draft.clauses.values_list("key", "position", "text")) == old_keys
    assert set(draft.sections.values_list("key", flat=True)) == set(
        current.sections.values_list("key", flat=True)
    )
    assert draft.clauses.exclude(pk__in=current.clauses.all()).count() == 5  # copies, not the same rows
    assert draft.history.get().history_user == hr
    assert {c.history.get().history_user for c in draft.clauses.all()} == {hr}


def test_it_refuses_a_second_draft_and_drafts_by_non_hr(current, draft, hr, teacher):
    with pytest.raises(ValidationError, match="already has a draft"):
        services.start_draft(current, label="other", by=hr)
    with pytest.raises(PermissionDenied):
        services.edit_version_details(
            draft,
            label="x",
            adopted_season="",
            adopted_year=None,
            review_season="autumn",
            review_year=2029,
            applies_to="",
            developed_by="",
            by=teacher,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        make_version(policy=current.policy, label="sneaked", status=DRAFT)
    assert PolicyVersion.objects.filter(policy=current.policy, status=DRAFT).count() == 1


def test_it_records_a_clause_edit_with_who_and_refuses_a_stale_revision(draft, hr):
    clause = draft.clauses.get(text="Bravo.")
    services.edit_clause(
        clause, text="Bravo, amended.", style="bullet", section=clause.section, revision=1, by=hr
    )
    clause.refresh_from_db()
    assert (clause.text, clause.style, clause.revision) == ("Bravo, amended.", "bullet", 2)
    latest = clause.history.latest("history_date")
    assert latest.text == "Bravo, amended." and latest.history_user == hr

    other_hr_view = Clause.objects.get(pk=clause.pk)
    other_hr_view.revision = 1  # opened before the first save
    with pytest.raises(services.EditConflict) as raised:
        services.edit_clause(
            other_hr_view, text="Overwrite!", style="paragraph", section=clause.section, revision=1, by=hr
        )
    assert raised.value.current.text == "Bravo, amended."
    assert Clause.objects.get(pk=clause.pk).text == "Bravo, amended."


def test_it_moves_a_clause_to_another_section_when_edited(draft, hr):
    clause = draft.clauses.get(text="Alpha.")
    use = draft.sections.get(heading="Use")
    services.edit_clause(clause, text="Alpha.", style="paragraph", section=use, revision=1, by=hr)
    assert texts(draft) == {"Purpose": ["Bravo."], "Use": ["Charlie.", "Delta.", "Echo.", "Alpha."]}
    assert list(draft.sections.get(heading="Purpose").clauses.values_list("position", flat=True)) == [1]


def test_it_adds_removes_and_reorders_clauses(draft, hr):
    use = draft.sections.get(heading="Use")
    services.add_clause(
        use, text="Charlie bis.", style="paragraph", after=use.clauses.get(text="Charlie."), by=hr
    )
    services.add_clause(use, text="First.", style="paragraph", after=None, by=hr)
    assert texts(draft)["Use"] == ["First.", "Charlie.", "Charlie bis.", "Delta.", "Echo."]

    services.remove_clause(draft.clauses.get(text="Delta."), by=hr)
    assert texts(draft)["Use"] == ["First.", "Charlie.", "Charlie bis.", "Echo."]
    assert list(use.clauses.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 4]
    deleted = Clause.history.filter(text="Delta.", history_type="-").get()
    assert deleted.history_user == hr

    services.move_clause(draft.clauses.get(text="Echo."), direction=services.UP, by=hr)
    assert texts(draft)["Use"] == ["First.", "Charlie.", "Echo.", "Charlie bis."]
    # past the top of its section, a clause goes to the end of the section before
    services.move_clause(draft.clauses.get(text="First."), direction=services.UP, by=hr)
    assert texts(draft) == {
        "Purpose": ["Alpha.", "Bravo.", "First."],
        "Use": ["Charlie.", "Echo.", "Charlie bis."],
    }
    services.move_clause(draft.clauses.get(text="First."), direction=services.DOWN, by=hr)
    assert texts(draft)["Use"][0] == "First."
    with pytest.raises(ValidationError, match="already the first"):
        services.move_clause(draft.clauses.get(text="Alpha."), direction=services.UP, by=hr)


def test_it_adds_renames_moves_and_removes_sections(draft, hr):
    new = services.add_section(draft, heading="Artificial intelligence", by=hr)
    assert new.position == 3
    services.move_section(new, direction=services.UP, by=hr)
    assert list(texts(draft)) == ["Purpose", "Artificial intelligence", "Use"]
    services.edit_section(new, heading="AI tools", by=hr)
    assert Section.objects.get(pk=new.pk).heading == "AI tools"
    removed = services.remove_section(draft.sections.get(heading="Use"), by=hr)
    assert removed == 3 and list(texts(draft)) == ["Purpose", "AI tools"]
    assert list(draft.sections.values_list("position", flat=True).order_by("position")) == [1, 2]
    assert Clause.history.filter(text="Echo.", history_type="-").get().history_user == hr


def test_it_edits_the_version_details_with_history(draft, hr):
    services.edit_version_details(
        draft,
        label="2026-2030",
        adopted_season="autumn",
        adopted_year=2026,
        review_season="summer",
        review_year=2030,
        applies_to="Everyone.",
        developed_by="HR.",
        by=hr,
    )
    draft.refresh_from_db()
    assert (draft.label, str(draft.adopted_term), str(draft.review_term)) == (
        "2026-2030",
        "Autumn 2026",
        "Summer 2030",
    )
    assert draft.history.latest("history_date").history_user == hr
    with pytest.raises(ValidationError, match="already has a version called 2016-2019"):
        services.edit_version_details(
            draft,
            label="2016-2019",
            adopted_season="",
            adopted_year=None,
            review_season="summer",
            review_year=2030,
            applies_to="",
            developed_by="",
            by=hr,
        )


def test_it_refuses_to_publish_without_an_approval_of_the_current_text(draft, hr):
    with pytest.raises(ValidationError, match="Record the approval"):
        services.publish(draft, by=hr)
    services.record_approval(
        draft,
        approved_by_body="Board of Trustees",
        approved_on=datetime.date(2026, 7, 14),
        minute_reference="BT/2026/14",
        by=hr,
    )
    clause = draft.clauses.first()
    services.edit_clause(
        clause, text="Changed after approval.", style=clause.style, section=clause.section, revision=1, by=hr
    )
    with pytest.raises(ValidationError, match="changed after its approval"):
        services.publish(draft, by=hr)
    assert PolicyVersion.objects.get(pk=draft.pk).is_draft
    with pytest.raises(ValidationError, match="future"):
        services.record_approval(
            draft,
            approved_by_body="Board",
            approved_on=datetime.date.today() + datetime.timedelta(days=2),
            minute_reference="x",
            by=hr,
        )


def test_it_refuses_to_edit_a_published_version(current, hr):
    clause = current.clauses.first()
    with pytest.raises(ValidationError, match="was published .* so nothing was changed"):
        services.edit_clause(clause, text="x", style="paragraph", section=clause.section, revision=1, by=hr)
    with pytest.raises(FrozenVersionError):
        Clause.objects.filter(pk=clause.pk).update(text="x")
