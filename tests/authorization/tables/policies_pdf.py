"""The policy as a PDF: anyone signed in, for any version they can read; drafts only for HR."""

from policies.models import PolicyVersion
from tests.authorization.world import Row
from tests.builders import make_version

SIGNED_IN_200 = {"anonymous": 302, "staff": 200, "governor": 200, "head": 200, "exec_head": 200, "hr": 200}
HR_ONLY = {"anonymous": 302, "staff": 404, "governor": 404, "head": 404, "exec_head": 404, "hr": 200}


def build(world) -> None:
    current = make_version(label="2016-2019", status=PolicyVersion.Status.PUBLISHED)
    world.objects["pdf_policy"] = current.policy
    world.objects["pdf_old_version"] = make_version(
        policy=current.policy, label="2013-2016", status=PolicyVersion.Status.SUPERSEDED
    )
    world.objects["pdf_draft_version"] = make_version(
        policy=current.policy, label="2019-2022", status=PolicyVersion.Status.DRAFT
    )


ROWS = {
    "policies:version_pdf": Row(
        args=lambda w: [w.objects["pdf_policy"].slug, w.objects["pdf_old_version"].pk], expect=SIGNED_IN_200
    ),
}

EXTRA_CHECKS = [
    (
        "policies:version_pdf",
        lambda w: [w.objects["pdf_policy"].slug, w.objects["pdf_draft_version"].pk],
        HR_ONLY,
    ),
    # A version must be asked for under its own policy: another policy's slug finds nothing.
    (
        "policies:version_pdf",
        lambda w: ["no-such-policy", w.objects["pdf_old_version"].pk],
        {**HR_ONLY, "hr": 404},
    ),
]
