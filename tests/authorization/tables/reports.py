"""Reports: only the handler and the Executive Head Teacher open a case; the reporter sees their own status.

Everyone else gets 404 for anything about a report, the reported colleague included. "My reports" and
"Report a concern" are open to everyone signed in; "My cases" to Heads and handlers; the counts to HR.
"""

from reports import services
from reports.models import Status
from tests.authorization.world import Row
from tests.reports.builders import checked_png, details, make_report

PEOPLE = (
    "anonymous",
    "staff",
    "colleague",
    "other_staff",
    "head",
    "other_head",
    "exec_head",
    "hr",
    "governor",
    "trustee",
    "chair",
)


def answers(default: int, **special) -> dict[str, int]:
    return {**dict.fromkeys(PEOPLE, default), "anonymous": 302, **special}


SIGNED_IN_200 = answers(200)
# The case: its handler (Harmony's Head) and the Executive Head Teacher; nobody else knows it exists.
CASE = answers(404, head=200, exec_head=200)
CASE_POST = answers(404, head=302, exec_head=302)
# The reporter's status page: the reporter only.
STATUS = answers(404, staff=200)
# A list of cases: Heads (Harmony's, Crescendo's) and the Executive Head; others are refused.
CASES = answers(403, head=200, other_head=200, exec_head=200)
HR_ONLY = answers(403, hr=200)


def build(world) -> None:
    # Evidence files go to the test's own folder: the world fixture points PRIVATE_MEDIA_ROOT there.
    people = world.people
    # make_report commits it, so its evidence file is written (files follow the commit).
    report = make_report(people["staff"], people["colleague"], files=[checked_png()])
    world.objects["report"] = report
    world.objects["closed_report"] = services.submit(
        details(people["colleague"]), by=people["other_staff"], notify=False
    )
    services.change_status(
        world.objects["closed_report"], to=Status.CLOSED, note="Done.", outcome="police", by=people["head"]
    )
    # About Crescendo's Head: the Executive Head Teacher's case, not Harmony's Head's.
    world.objects["exec_report"] = services.submit(
        details(people["other_head"]), by=people["staff"], notify=False
    )


def case_args(w):
    return [w.objects["report"].public_id]


ROWS = {
    "reports:new": Row(expect=SIGNED_IN_200),
    "reports:mine": Row(expect=SIGNED_IN_200),
    "reports:status": Row(args=case_args, expect=STATUS),
    "reports:cases": Row(expect=CASES),
    "reports:case": Row(args=case_args, expect=CASE),
    # The Head closes the case; by the time the Executive Head Teacher tries, it is closed (403).
    "reports:case_status": Row(
        args=case_args,
        method="post",
        data=lambda w: {"to": Status.CLOSED, "outcome": "informal_advice", "note": "Advice given."},
        expect=answers(404, head=302, exec_head=403),
    ),
    "reports:case_note": Row(
        args=case_args, method="post", data=lambda w: {"note": "Spoke to the reporter."}, expect=CASE_POST
    ),
    # Harmony's Head passes the case on; the Executive Head already has it once that is done, so 403.
    "reports:case_pass_on": Row(
        args=case_args,
        method="post",
        data=lambda w: {"reason": "I am a friend of the colleague."},
        expect=answers(404, head=302, exec_head=403),
    ),
    # Stepping aside (the confirmation page): the handler only; the Executive Head Teacher sees the case
    # but does not handle it (403); everyone else, the reporter and the colleague included, gets 404.
    "reports:case_step_aside": Row(args=case_args, expect=answers(404, head=200, exec_head=403)),
    "reports:evidence": Row(args=lambda w: [w.objects["report"].public_id, 1], expect=CASE),
    "reports:counts": Row(expect=HR_ONLY),
    "reports:counts_csv": Row(expect=HR_ONLY),
}

EXTRA_CHECKS = [
    # A case about a Head is the Executive Head Teacher's: Harmony's Head and the subject get 404.
    ("reports:case_status", lambda w: [w.objects["exec_report"].public_id], answers(404, exec_head=302)),
    ("reports:case", lambda w: [w.objects["exec_report"].public_id], answers(404, exec_head=200)),
    # A closed case can no longer change status: its handler is refused, everyone else still gets 404.
    (
        "reports:case_status",
        lambda w: [w.objects["closed_report"].public_id],
        answers(404, head=403, exec_head=403),
    ),
    # Someone else's report's status page: not even its handler sees the reporter's page.
    ("reports:status", lambda w: [w.objects["closed_report"].public_id], answers(404, other_staff=200)),
    # The case about Crescendo's Head is the Executive Head Teacher's to step aside from; a closed case
    # cannot be stepped aside from (its handler is refused).
    ("reports:case_step_aside", lambda w: [w.objects["exec_report"].public_id], answers(404, exec_head=200)),
    (
        "reports:case_step_aside",
        lambda w: [w.objects["closed_report"].public_id],
        answers(404, head=403, exec_head=403),
    ),
    # Evidence that does not exist.
    ("reports:evidence", lambda w: [w.objects["report"].public_id, 2], answers(404)),
]
