"""The signed-off review pack (HR and the Executive Head Teacher only) and the record of exports (HR only).

A version anyone can read but may not pack answers 403; a draft, an unknown version, a pack not made (waiting,
running, failed) or one whose file was replaced by newer packs answers 404, to everyone.
"""

from django.utils import timezone

from acknowledgements.models import PackJob
from acknowledgements.pack import SignoffPack
from acknowledgements.pack_jobs import fail_pack_job, finish_pack_job, request_pack, start_pack_job
from policies.models import PolicyVersion
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
    # A finished pack: its file goes to the private storage, under whatever PRIVATE_MEDIA_ROOT is now (the
    # world fixture points it at the test's own folder).
    job, _created = request_pack(version, by=hr, queue=False)
    start_pack_job(job)
    pack = SignoffPack(
        content=b"%PDF-1.7 a pack for the table", filename="table.pdf", signed=False, register_rows=0
    )
    world.objects["pack_job"] = finish_pack_job(job, pack)
    failed, _created = request_pack(version, by=hr, queue=False)
    world.objects["failed_job"] = fail_pack_job(failed, message="Stopped.")
    running, _created = request_pack(version, by=hr, queue=False)
    start_pack_job(running)
    world.objects["running_job"] = running
    # A pack whose file was removed when newer ones were made: its row (and export record) stay.
    world.objects["replaced_job"] = PackJob.objects.create(
        version=version, requested_by=hr, state=PackJob.State.DONE, deadline_at=timezone.now()
    )
    # A pending one, of another policy's version.
    other = make_version(label="pack-other")
    world.objects["pending_job"], _created = request_pack(other, by=hr, queue=False)


ROWS = {
    "acknowledgements:signoff_pack_index": Row(expect=PACK_MAKERS),
    "acknowledgements:signoff_pack": Row(args=lambda w: [w.objects["pack_version"].pk], expect=PACK_MAKERS),
    "acknowledgements:signoff_pack_prepare": Row(
        args=lambda w: [w.objects["pack_version"].pk], method="post", expect=PREPARE
    ),
    "acknowledgements:signoff_pack_download": Row(
        args=lambda w: [w.objects["pack_job"].pk], expect=PACK_MAKERS
    ),
    # The record of exports lives with the packs now; the old address redirects HR there.
    "policies:export_list": Row(expect={**HR_ONLY, "hr": 302}),
    "acknowledgements:exports": Row(expect=HR_ONLY),
}

EXTRA_CHECKS = [
    ("acknowledgements:signoff_pack", lambda w: [w.objects["pack_draft"].pk], NOWHERE),
    ("acknowledgements:signoff_pack", lambda w: [999999], NOWHERE),
    ("acknowledgements:signoff_pack_prepare", lambda w: [w.objects["pack_draft"].pk], NOWHERE),
    ("acknowledgements:signoff_pack_download", lambda w: [w.objects["failed_job"].pk], NOWHERE),
    ("acknowledgements:signoff_pack_download", lambda w: [w.objects["pending_job"].pk], NOWHERE),
    ("acknowledgements:signoff_pack_download", lambda w: [w.objects["running_job"].pk], NOWHERE),
    ("acknowledgements:signoff_pack_download", lambda w: [w.objects["replaced_job"].pk], NOWHERE),
    ("acknowledgements:signoff_pack_download", lambda w: [999999], NOWHERE),
    ("acknowledgements:signoff_pack_prepare", lambda w: [999999], NOWHERE),
    ("acknowledgements:signoff_pack_prepare", lambda w: [w.objects["pending_job"].version_id], PREPARE),
]
