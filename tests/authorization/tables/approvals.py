"""Approvals: staff use these pages; the Head of the school (or the Executive Head) decides; HR downloads.

Objects of another school are "not found" for its Head; actions on something a person can see but may not
take are refused (403). Governors and trustees do not run work sites: list pages refuse them, objects are
not found. POST rows run person by person on the same objects, so the person who may act comes last where
acting changes what the next one would meet.
"""

from approvals import services
from tests.approvals.builders import make_approved_site, make_group, make_site_request
from tests.authorization.world import Row
from tests.builders import make_person

NOT_STAFF = {"anonymous": 302, "governor": 403, "trustee": 403, "chair": 403}
STAFF_PAGE = {
    **NOT_STAFF,
    "staff": 200,
    "colleague": 200,
    "other_staff": 200,
    "head": 200,
    "other_head": 200,
    "exec_head": 200,
    "hr": 200,
}
HIDDEN = {"anonymous": 302, "governor": 404, "trustee": 404, "chair": 404}


def build(world) -> None:
    p = world.people
    teacher, colleague, head, other_head = p["staff"], p["colleague"], p["head"], p["other_head"]
    cara = make_person("Cara Crescendo", school=other_head.school)
    world.objects["waiting"] = make_site_request(teacher, runners=[teacher, colleague])
    world.objects["waiting_2"] = make_site_request(teacher, runners=[teacher, colleague])
    world.objects["approved"] = make_approved_site(teacher, runners=[teacher, colleague], by=head)
    changes = make_site_request(teacher, runners=[teacher, colleague])
    world.objects["changes"] = services.decide_request(
        changes, "changes_requested", by=head, note="Change it."
    )
    world.objects["crescendo_waiting"] = make_site_request(cara, runners=[cara, other_head])
    world.objects["crescendo_approved"] = make_approved_site(cara, runners=[cara, other_head], by=other_head)
    moved = make_approved_site(teacher, runners=[teacher, colleague], by=head, link="https://example.org/old")
    world.objects["address_waiting"] = services.record_site_link(
        moved, by=teacher, link="https://example.org/new"
    )
    cara_moved = make_approved_site(
        cara, runners=[cara, other_head], by=other_head, link="https://example.org/c"
    )
    world.objects["crescendo_address_waiting"] = services.record_site_link(
        cara_moved, by=cara, link="https://example.org/c2"
    )
    group = make_group(teacher)
    world.objects["group"] = group
    world.objects["handover"] = services.offer_group(group, by=teacher, to=colleague)
    crescendo_group = make_group(cara, name="Crescendo Staff")
    world.objects["crescendo_group"] = crescendo_group
    world.objects["crescendo_handover"] = services.offer_group(crescendo_group, by=cara, to=other_head)


def pk_of(name):
    return lambda w: [w.objects[name].pk]


ROWS = {
    "approvals:register": Row(expect=STAFF_PAGE),
    "approvals:request_list": Row(expect=STAFF_PAGE),
    "approvals:request_create": Row(expect=STAFF_PAGE),
    # names of one's own school and the central team only (tests/approvals/test_runner_picker.py)
    "approvals:runner_search": Row(expect=STAFF_PAGE),
    "approvals:group_list": Row(expect=STAFF_PAGE),
    "approvals:group_create": Row(expect=STAFF_PAGE),
    "approvals:register_csv": Row(
        expect={**NOT_STAFF, "staff": 403, "head": 403, "other_head": 403, "exec_head": 403, "hr": 200}
    ),
    "approvals:due_list": Row(
        expect={
            **NOT_STAFF,
            "staff": 403,
            "colleague": 403,
            "head": 200,
            "other_head": 200,
            "exec_head": 200,
            "hr": 403,
        }
    ),
    # Tess asked; Colin is named to run it; Olive is a colleague who is neither.
    "approvals:request_detail": Row(
        args=pk_of("waiting"),
        expect={
            **HIDDEN,
            "staff": 200,
            "colleague": 200,
            "other_staff": 404,
            "head": 200,
            "other_head": 404,
            "exec_head": 200,
            "hr": 200,
        },
    ),
    "approvals:request_edit": Row(
        args=pk_of("changes"),
        expect={
            **HIDDEN,
            "staff": 200,
            "colleague": 403,
            "other_staff": 404,
            "head": 403,
            "other_head": 404,
            "exec_head": 403,
            "hr": 403,
        },
    ),
    "approvals:request_decide": Row(
        method="post",
        args=pk_of("waiting"),
        data=lambda w: {"outcome": "changes_requested", "note": "Please change it."},
        expect={
            **HIDDEN,
            "staff": 403,
            "colleague": 403,
            "other_staff": 404,
            "hr": 403,
            "other_head": 404,
            "head": 302,
            "exec_head": 302,
        },
    ),
    "approvals:site_review": Row(
        method="post",
        args=pk_of("approved"),
        data=lambda w: {"outcome": "reapprove", "note": ""},
        expect={
            **HIDDEN,
            "staff": 403,
            "colleague": 403,
            "other_staff": 404,
            "hr": 403,
            "other_head": 404,
            "head": 302,
            "exec_head": 302,
        },
    ),
    # The Head (or the Executive Head) decides a new address; the first to answer takes the waiting one,
    # the next is told there is none waiting (a message, 302).
    "approvals:site_link_decide": Row(
        method="post",
        args=pk_of("address_waiting"),
        data=lambda w: {"outcome": "approve", "note": ""},
        expect={
            **HIDDEN,
            "staff": 403,
            "colleague": 403,
            "other_staff": 404,
            "hr": 403,
            "other_head": 404,
            "head": 302,
            "exec_head": 302,
        },
    ),
    "approvals:site_link": Row(
        method="post",
        args=pk_of("approved"),
        data=lambda w: {"link": "https://example.org/site"},
        expect={
            **HIDDEN,
            "staff": 302,
            "colleague": 302,
            "other_staff": 404,
            "head": 403,
            "other_head": 404,
            "exec_head": 403,
            "hr": 403,
        },
    ),
    "approvals:group_detail": Row(
        args=pk_of("group"),
        expect={
            **HIDDEN,
            "staff": 200,
            "colleague": 200,
            "other_staff": 200,
            "head": 200,
            "other_head": 404,
            "exec_head": 200,
            "hr": 200,
        },
    ),
    "approvals:group_handover": Row(
        method="post",
        args=pk_of("group"),
        data=lambda w: {"offered_to": w.people["other_staff"].pk},
        expect={
            **HIDDEN,
            "colleague": 403,
            "other_staff": 403,
            "head": 403,
            "other_head": 404,
            "exec_head": 403,
            "hr": 403,
            "staff": 302,
        },
    ),
    "approvals:handover_answer": Row(
        method="post",
        args=pk_of("handover"),
        data=lambda w: {"answer": "decline"},
        expect={
            **HIDDEN,
            "staff": 403,
            "other_staff": 403,
            "head": 403,
            "other_head": 404,
            "exec_head": 403,
            "hr": 403,
            "colleague": 302,
        },
    ),
}

# Another school's objects: its Head is the one who may act, Hannah (Harmony's Head) finds nothing.
OTHER_SCHOOL = {
    **HIDDEN,
    "staff": 404,
    "colleague": 404,
    "other_staff": 404,
    "head": 404,
    "hr": 200,
    "exec_head": 200,
    "other_head": 200,
}
# The acting Head comes before the Executive Head, so that each meets a request still waiting.
OTHER_SCHOOL_ACTION = {
    **HIDDEN,
    "staff": 404,
    "colleague": 404,
    "other_staff": 404,
    "head": 404,
    "hr": 403,
    "other_head": 302,
    "exec_head": 302,
}
EXTRA_CHECKS = [
    ("approvals:request_detail", pk_of("crescendo_waiting"), OTHER_SCHOOL),
    ("approvals:request_detail", pk_of("crescendo_approved"), OTHER_SCHOOL),
    ("approvals:group_detail", pk_of("crescendo_group"), OTHER_SCHOOL),
    ("approvals:request_decide", pk_of("crescendo_waiting"), OTHER_SCHOOL_ACTION),
    ("approvals:site_review", pk_of("crescendo_approved"), OTHER_SCHOOL_ACTION),
    # The Executive Head may decide any school's request: here first, while it still waits.
    (
        "approvals:request_decide",
        pk_of("waiting_2"),
        {"exec_head": 302, **HIDDEN, "staff": 403, "hr": 403, "head": 302},
    ),
    ("approvals:site_link", pk_of("crescendo_approved"), {**OTHER_SCHOOL_ACTION, "exec_head": 403}),
    ("approvals:site_link_decide", pk_of("crescendo_address_waiting"), OTHER_SCHOOL_ACTION),
    (
        "approvals:request_edit",
        pk_of("crescendo_waiting"),
        {**OTHER_SCHOOL_ACTION, "other_head": 403, "exec_head": 403},
    ),
    (
        "approvals:group_handover",
        pk_of("crescendo_group"),
        {**OTHER_SCHOOL_ACTION, "other_head": 403, "exec_head": 403},
    ),
    ("approvals:handover_answer", pk_of("crescendo_handover"), {**OTHER_SCHOOL_ACTION, "exec_head": 403}),
]
