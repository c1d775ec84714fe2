"""HR's review of a policy: drafts are HR's alone (404 for everyone else); the comparison is for all."""

from policies.models import Clause, PolicyVersion, Section
from tests.authorization.world import Row
from tests.builders import make_version

SIGNED_IN_200 = {"anonymous": 302, "staff": 200, "governor": 200, "head": 200, "exec_head": 200, "hr": 200}
HR_ONLY = {"anonymous": 302, "staff": 404, "governor": 404, "head": 404, "exec_head": 404, "hr": 200}
# Actions answer with a redirect (and a message) for HR.
HR_ONLY_ACTION = {**HR_ONLY, "hr": 302}
# Everyone can see the live version, but only HR may start its review: 403 for the others.
HR_MAY_ACT = {"anonymous": 302, "staff": 403, "governor": 403, "head": 403, "exec_head": 403, "hr": 200}
NOBODY = {"anonymous": 302, "staff": 404, "governor": 404, "head": 404, "exec_head": 404, "hr": 404}


def build(world) -> None:
    current = make_version(label="2016-2019", sections={"Purpose": ["One.", "Two."], "Use": ["Three."]})
    draft = make_version(
        policy=current.policy,
        label="2026-2029",
        status=PolicyVersion.Status.DRAFT,
        sections={"Purpose": ["One.", "Two."], "Use": ["Three."]},
        continues=current,
    )
    world.objects.update(
        review_current=current,
        review_draft=draft,
        review_section=Section.objects.filter(version=draft).order_by("position").first(),
        review_clause=Clause.objects.filter(version=draft).order_by("section__position", "position").first(),
        review_undrafted=make_version(label="2020-2023"),
        review_draft_only=make_version(label="first", status=PolicyVersion.Status.DRAFT),
    )


def draft_args(w):
    return [w.objects["review_draft"].policy.slug, w.objects["review_draft"].pk]


def section_args(w):
    return [*draft_args(w), w.objects["review_section"].pk]


def clause_args(w):
    return [*draft_args(w), w.objects["review_clause"].pk]


ROWS = {
    "policies:compare": Row(args=lambda w: [w.objects["review_current"].policy.slug], expect=SIGNED_IN_200),
    "policies:draft_start": Row(
        args=lambda w: [w.objects["review_undrafted"].policy.slug], expect=HR_MAY_ACT
    ),
    "policies:yearly_round": Row(args=lambda w: [w.objects["review_current"].policy.slug], expect=HR_MAY_ACT),
    "policies:draft_detail": Row(args=draft_args, expect=HR_ONLY),
    "policies:draft_edit_details": Row(args=draft_args, expect=HR_ONLY),
    "policies:draft_approval": Row(args=draft_args, expect=HR_ONLY),
    "policies:draft_publish": Row(args=draft_args, expect=HR_ONLY),
    "policies:section_add": Row(args=draft_args, expect=HR_ONLY),
    "policies:section_edit": Row(args=section_args, expect=HR_ONLY),
    "policies:section_remove": Row(args=section_args, expect=HR_ONLY),
    "policies:section_move": Row(
        args=section_args, method="post", data=lambda w: {"direction": "down"}, expect=HR_ONLY_ACTION
    ),
    "policies:clause_add": Row(args=section_args, expect=HR_ONLY),
    "policies:clause_edit": Row(args=clause_args, expect=HR_ONLY),
    "policies:clause_remove": Row(args=clause_args, expect=HR_ONLY),
    "policies:clause_move": Row(
        args=clause_args, method="post", data=lambda w: {"direction": "down"}, expect=HR_ONLY_ACTION
    ),
}

EXTRA_CHECKS = [
    # A published version is not a draft: its "draft" pages do not exist, even for HR.
    (
        "policies:draft_detail",
        lambda w: [w.objects["review_current"].policy.slug, w.objects["review_current"].pk],
        NOBODY,
    ),
    # A policy that exists only as a draft has nothing to compare for anyone but HR.
    ("policies:compare", lambda w: [w.objects["review_draft_only"].policy.slug], HR_ONLY),
    # Its review cannot be started: there is no published version to start from.
    ("policies:draft_start", lambda w: [w.objects["review_draft_only"].policy.slug], NOBODY),
    # Where a draft is already in progress, HR is taken to it.
    ("policies:draft_start", lambda w: [w.objects["review_current"].policy.slug], {**HR_MAY_ACT, "hr": 302}),
]
