from policies.models import PolicyVersion
from tests.authorization.world import Row
from tests.builders import make_version

SIGNED_IN_200 = {"anonymous": 302, "staff": 200, "governor": 200, "head": 200, "exec_head": 200, "hr": 200}
HR_ONLY = {"anonymous": 302, "staff": 404, "governor": 404, "head": 404, "exec_head": 404, "hr": 200}


def build(world) -> None:
    current = make_version(label="2016-2019", status=PolicyVersion.Status.PUBLISHED)
    world.objects["policy"] = current.policy
    world.objects["current_version"] = current
    world.objects["old_version"] = make_version(
        policy=current.policy, label="2013-2016", status=PolicyVersion.Status.SUPERSEDED
    )
    world.objects["draft_version"] = make_version(
        policy=current.policy, label="2019-2022", status=PolicyVersion.Status.DRAFT
    )
    world.objects["draft_only_policy"] = make_version(label="draft", status=PolicyVersion.Status.DRAFT).policy


# Who must acknowledge a policy: HR decides; everyone else may read the policy, so the page is refused (403).
HR_ONLY_403 = {"anonymous": 302, "staff": 403, "governor": 403, "head": 403, "exec_head": 403, "hr": 200}

ROWS = {
    "policies:home": Row(expect=SIGNED_IN_200),
    "policies:policy_audience": Row(args=lambda w: [w.objects["policy"].slug], expect=HR_ONLY_403),
    "policies:policy_detail": Row(args=lambda w: [w.objects["policy"].slug], expect=SIGNED_IN_200),
    "policies:version_list": Row(args=lambda w: [w.objects["policy"].slug], expect=SIGNED_IN_200),
    "policies:version_detail": Row(
        args=lambda w: [w.objects["policy"].slug, w.objects["old_version"].pk], expect=SIGNED_IN_200
    ),
}

# Drafts are HR's working copies: everyone else gets "not found", as if they did not exist.
EXTRA_CHECKS = [
    ("policies:version_detail", lambda w: [w.objects["policy"].slug, w.objects["draft_version"].pk], HR_ONLY),
    ("policies:version_list", lambda w: [w.objects["draft_only_policy"].slug], HR_ONLY),
    ("policies:policy_detail", lambda w: [w.objects["draft_only_policy"].slug], {**HR_ONLY, "hr": 404}),
]
