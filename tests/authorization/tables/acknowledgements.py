"""Acknowledgements: everyone acknowledges and sees their own; Heads see their school; the Executive
Head and HR the whole trust. Pages someone may not see answer 404, as if they did not exist."""

from acknowledgements.services import acknowledge
from policies.models import PolicyVersion
from tests.authorization.world import Row
from tests.builders import make_version

SIGNED_IN_200 = {"anonymous": 302, "staff": 200, "governor": 200, "head": 200, "exec_head": 200, "hr": 200}
TRUST_WIDE = {"anonymous": 302, "staff": 404, "governor": 404, "head": 404, "exec_head": 200, "hr": 200}
HEADS_AND_TRUST = {**TRUST_WIDE, "head": 200, "other_head": 404}
SENDERS_OF_ALL = {"anonymous": 302, "staff": 403, "governor": 403, "head": 403, "exec_head": 200, "hr": 200}


def build(world) -> None:
    version = make_version(label="ack-2024", status=PolicyVersion.Status.PUBLISHED)
    world.objects["ack_version"] = version
    world.objects["ack_draft"] = make_version(
        policy=version.policy, label="ack-draft", status=PolicyVersion.Status.DRAFT
    )
    # Tess (staff, Harmony) has acknowledged: her Head, the Executive Head and HR may see her receipt.
    world.objects["staff_receipt"], _ = acknowledge(version, by=world.people["staff"])


ROWS = {
    "acknowledgements:mine": Row(expect=SIGNED_IN_200),
    "acknowledgements:acknowledge": Row(args=lambda w: [w.objects["ack_version"].pk], expect=SIGNED_IN_200),
    "acknowledgements:waiting": Row(expect=SIGNED_IN_200),
    "acknowledgements:receipt": Row(
        args=lambda w: [w.objects["staff_receipt"].pk],
        expect={**TRUST_WIDE, "staff": 200, "head": 200, "other_head": 404, "colleague": 404},
    ),
    "acknowledgements:compliance": Row(expect={**HEADS_AND_TRUST, "other_head": 200}),
    "acknowledgements:compliance_school": Row(args=lambda w: ["harmony-primary"], expect=HEADS_AND_TRUST),
    "acknowledgements:compliance_central": Row(expect=TRUST_WIDE),
    "acknowledgements:outstanding": Row(expect=TRUST_WIDE),
    "acknowledgements:register_csv": Row(expect=TRUST_WIDE),
    # "Send reminders now": the whole trust is HR's and the Executive Head's (403 to the rest); a school's
    # page is its Heads' too (another school's: 404, as its compliance page). Pressing the button (POST) is
    # refused to the same people: tests/acknowledgements/test_send_reminders_now.py.
    "acknowledgements:reminders": Row(expect=SENDERS_OF_ALL),
    "acknowledgements:reminders_school": Row(args=lambda w: ["harmony-primary"], expect=HEADS_AND_TRUST),
}

EXTRA_CHECKS = [
    # A draft cannot be acknowledged or even found, by anyone (HR included).
    (
        "acknowledgements:acknowledge",
        lambda w: [w.objects["ack_draft"].pk],
        {**TRUST_WIDE, "exec_head": 404, "hr": 404},
    ),
    # A Head of another school gets "not found" for Harmony, and the page of their own school.
    (
        "acknowledgements:compliance_school",
        lambda w: ["crescendo-academy"],
        {**TRUST_WIDE, "head": 404, "other_head": 200},
    ),
    (
        "acknowledgements:compliance_school",
        lambda w: ["no-such-school"],
        {**TRUST_WIDE, "exec_head": 404, "hr": 404},
    ),
]
