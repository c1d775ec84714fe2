"""The signed-off review pack (HR and the Executive Head Teacher only) and the record of exports (HR only).

A version anyone can read but may not pack answers 403; a draft, an unknown version or a pack not made
answers 404, to everyone.
"""

import weakref
from pathlib import Path

from django.conf import settings

from policies.models import PackJob, PolicyVersion
from policies.services import fail_pack_job, finish_pack_job, record_export, request_pack
from tests.authorization.world import Row
from tests.builders import make_version

PACK_MAKERS = {"anonymous": 302, "staff": 403, "governor": 403, "head": 403, "exec_head": 200, "hr": 200}
PREPARE = {**PACK_MAKERS, "exec_head": 302, "hr": 302}
HR_ONLY = {"anonymous": 302, "staff": 403, "governor": 403, "head": 403, "exec_head": 403, "hr": 200}
NOWHERE = {"anonymous": 302, "staff": 404, "governor": 404, "head": 404, "exec_head": 404, "hr": 404}


def build(world) -> None:
    version = make_version(label="pack-2024", status=PolicyVersion.Status.PUBLISHED)
    world.objects["pack_version"] = version
    world.objects["pack_draft"] = make_version(
        policy=version.policy, label="pack-draft", status=PolicyVersion.Status.DRAFT
    )
    hr = world.people["hr"]
    # A finished pack: its file is written under whatever PRIVATE_MEDIA_ROOT is now (the reports table
    # has pointed it at a temporary folder) and removed with the world.
    content = b"%PDF-1.7 a pack made for the authorization table"
    job = request_pack(version, by=hr)
    relative = f"exports/job-{job.pk}-table.pdf"
    path = Path(settings.PRIVATE_MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    weakref.finalize(world, path.unlink, True)
    export = record_export(version, kind="signoff_pack", content=content, filename="table.pdf", by=hr)
    world.objects["pack_job"] = finish_pack_job(job, file_path=relative, export=export, register_rows=0)
    world.objects["failed_job"] = fail_pack_job(request_pack(version, by=hr), message="Stopped.")
    world.objects["pending_job"] = PackJob.objects.create(version=version, requested_by=hr)


ROWS = {
    "acknowledgements:signoff_pack_index": Row(expect=PACK_MAKERS),
    "acknowledgements:signoff_pack": Row(args=lambda w: [w.objects["pack_version"].pk], expect=PACK_MAKERS),
    "acknowledgements:signoff_pack_prepare": Row(
        args=lambda w: [w.objects["pack_version"].pk], method="post", expect=PREPARE
    ),
    "acknowledgements:signoff_pack_download": Row(
        args=lambda w: [w.objects["pack_job"].pk], expect=PACK_MAKERS
    ),
    "policies:export_list": Row(expect=HR_ONLY),
}

EXTRA_CHECKS = [
    ("acknowledgements:signoff_pack", lambda w: [w.objects["pack_draft"].pk], NOWHERE),
    ("acknowledgements:signoff_pack", lambda w: [999999], NOWHERE),
    ("acknowledgements:signoff_pack_prepare", lambda w: [w.objects["pack_draft"].pk], NOWHERE),
    ("acknowledgements:signoff_pack_download", lambda w: [w.objects["failed_job"].pk], NOWHERE),
    ("acknowledgements:signoff_pack_download", lambda w: [w.objects["pending_job"].pk], NOWHERE),
]
