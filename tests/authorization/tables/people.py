"""HR's people import: HR only. An import is seen only by the HR person who uploaded it (404 otherwise)."""

from symphony_portal.trust import services
from tests.authorization.world import Row
from tests.builders import make_person

CSV = "email,name,kind,school,role,job title\nnew.person@symphony.test,New Person,employee,,,\n"

HR_ONLY_403 = {"anonymous": 302, "staff": 403, "governor": 403, "head": 403, "exec_head": 403, "hr": 200}
# Someone else's upload is "not found"; the uploader (HR) gets the page, or is sent back to it after a POST.
UPLOADER_ONLY = {"anonymous": 302, "staff": 404, "governor": 404, "head": 404, "exec_head": 404}
NOBODY_ELSE = {**UPLOADER_ONLY, "hr": 404}


def build(world) -> None:
    hr = world.people["hr"]
    tag = services.create_tag("Works directly with children", by=hr)
    world.objects["tag"] = tag
    world.objects["tagged"] = make_person("Tina Tagged")
    services.tag_people(tag, [world.objects["tagged"]], by=hr)
    world.objects["import"] = services.upload_people_import(CSV, filename="people.csv", by=hr)
    other_hr = make_person("Hilda Otherhr", roles=["hr"])
    world.objects["other_import"] = services.upload_people_import(CSV, filename="theirs.csv", by=other_hr)


ROWS = {
    "people:import_upload": Row(expect=HR_ONLY_403),
    "people:import_template": Row(expect=HR_ONLY_403),
    # Tags HR keeps: HR only (403 for everyone else, who may know tags exist but not keep them).
    "people:tag_list": Row(expect=HR_ONLY_403),
    "people:tag_detail": Row(args=lambda w: [w.objects["tag"].slug], expect=HR_ONLY_403),
    "people:tag_remove": Row(
        method="post",
        args=lambda w: [w.objects["tag"].slug, w.objects["tagged"].pk],
        expect={**HR_ONLY_403, "hr": 302},
    ),
    "people:import_preview": Row(
        args=lambda w: [w.objects["import"].pk], expect={**UPLOADER_ONLY, "hr": 200}
    ),
    "people:import_confirm": Row(
        method="post", args=lambda w: [w.objects["import"].pk], expect={**UPLOADER_ONLY, "hr": 302}
    ),
    "people:import_resend_invitations": Row(
        method="post", args=lambda w: [w.objects["import"].pk], expect={**UPLOADER_ONLY, "hr": 302}
    ),
}

EXTRA_CHECKS = [
    ("people:import_preview", lambda w: [w.objects["other_import"].pk], NOBODY_ELSE),
    ("people:import_confirm", lambda w: [w.objects["other_import"].pk], NOBODY_ELSE),
    ("people:import_resend_invitations", lambda w: [w.objects["other_import"].pk], NOBODY_ELSE),
]
