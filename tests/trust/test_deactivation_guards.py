"""Deactivating people is deliberate: HR sees exactly who and types the number; the trust keeps its leaders.

On the web the preview lists everyone who would be deactivated (name, roles, school) and the import
deactivates only when the number typed is the number listed. An import never deactivates the importer,
a trust administrator, or anyone holding a Head's, the Executive Head's, the Chair's or HR's role (so never
the last active holder of one): a trust administrator records their leaving. The command refuses a file
with no rows and more than 10% of the active people unless --confirm-deactivate names the exact count.
"""

import io

import pytest
from django.core.management import CommandError, call_command

from symphony_portal.trust.models import PeopleImport, User
from tests.builders import make_person
from tests.trust.importing import csv_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]  # the import is a task

HR_ROW = "harriet.hr@symphony.test,Harriet HR,employee,,hr,HR Manager"


def row(person, role: str = "") -> str:
    school = person.school.slug if person.school else ""
    return f"{person.email},{person.full_name},{person.kind},{school},{role},{person.job_title}"


def upload(client, text: str) -> PeopleImport:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post("/people/import/", {"file": SimpleUploadedFile("people.csv", text.encode(), "text/csv")})
    return PeopleImport.objects.latest("pk")


def confirm(client, record, **data):
    return client.post(f"/people/import/{record.pk}/confirm/", data, follow=True)


def active_ids() -> set[int]:
    return set(User.objects.filter(is_active=True).values_list("pk", flat=True))


def test_it_lists_exactly_who_would_be_deactivated_with_roles_and_school(
    client, hr, teacher, head, colleague, governor
):
    client.force_login(hr)
    record = upload(client, csv_of(HR_ROW, row(teacher)))
    page = client.get(f"/people/import/{record.pk}/").content.decode()
    assert "In the portal but not in this file (2)" in page
    leavers = page[page.index('id="leavers"') : page.index("</table>", page.index('id="leavers"'))]
    assert "Colin Colleague" in leavers and "Harmony Primary School" in leavers
    assert governor.full_name in leavers
    assert "Tess Teacher" not in leavers and "Harriet HR" not in leavers
    # The Head holds a role that reads cases: listed as kept, never among those to deactivate.
    assert "Hannah Head" not in leavers
    assert "Never deactivated by an import: Hannah Head" in page
    assert "type how many people are listed above" in page


def test_it_deactivates_nobody_when_the_box_is_ticked_without_the_number(
    client, hr, teacher, head, colleague, governor
):
    client.force_login(hr)
    record = upload(client, csv_of(HR_ROW, row(teacher)))
    before = active_ids()
    page = confirm(client, record, deactivate_missing="on").content.decode()
    assert "type how many are listed to confirm it" in page
    record.refresh_from_db()
    assert record.is_pending and active_ids() == before


def test_it_deactivates_nobody_when_the_number_typed_is_wrong(client, hr, teacher, head, colleague, governor):
    client.force_login(hr)
    record = upload(client, csv_of(HR_ROW, row(teacher)))
    before = active_ids()
    page = confirm(client, record, deactivate_missing="on", deactivate_count="14").content.decode()
    assert "you confirmed 14 but this import would deactivate 2 people" in page
    record.refresh_from_db()
    assert record.is_pending and active_ids() == before


def test_it_refuses_a_count_made_stale_by_a_change_since_the_preview(
    client, hr, teacher, head, colleague, governor
):
    client.force_login(hr)
    record = upload(client, csv_of(HR_ROW, row(teacher)))
    make_person("Nell New", school=teacher.school)  # joins between the preview and the confirmation
    page = confirm(client, record, deactivate_missing="on", deactivate_count="2").content.decode()
    assert "would deactivate 3 people" in page
    assert User.objects.get(pk=colleague.pk).is_active


def test_it_deactivates_exactly_the_listed_people_when_the_number_is_typed(
    client, hr, teacher, head, colleague, governor
):
    client.force_login(hr)
    record = upload(client, csv_of(HR_ROW, row(teacher)))
    page = confirm(client, record, deactivate_missing="on", deactivate_count="2").content.decode()
    assert "1 deactivated" not in page and "2 deactivated" in page
    assert set(User.objects.filter(is_active=False)) == {governor, colleague}


def test_it_never_deactivates_the_importer_or_the_last_executive_head_and_chair(
    client, hr, exec_head, chair, teacher
):
    client.force_login(hr)
    # HR's own row is missing too: the importer is never deactivated by their own import.
    record = upload(client, csv_of(row(teacher)))
    page = client.get(f"/people/import/{record.pk}/").content.decode()
    kept = page[page.index("Never deactivated by an import:") :]
    kept = kept[: kept.index("</p>")]
    assert "Eve Executive" in kept and chair.full_name in kept and hr.full_name in kept
    assert "In the portal but not in this file" not in page  # nobody left to deactivate
    confirm(client, record, deactivate_missing="on", deactivate_count="0")
    assert {hr, exec_head, chair, teacher} <= set(User.objects.filter(is_active=True))


def test_it_refuses_the_confirmation_to_anyone_but_the_uploader(client, hr, head, teacher):
    client.force_login(hr)
    record = upload(client, csv_of(HR_ROW))
    client.force_login(teacher)
    response = client.post(
        f"/people/import/{record.pk}/confirm/", {"deactivate_missing": "on", "deactivate_count": "2"}
    )
    assert response.status_code == 404
    assert PeopleImport.objects.get(pk=record.pk).is_pending and User.objects.get(pk=head.pk).is_active


# --- the command -------------------------------------------------------------------------------------------


def run(tmp_path, text: str, *args) -> str:
    path = tmp_path / "people.csv"
    path.write_text(text)
    out = io.StringIO()
    call_command("import_people", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_it_refuses_to_deactivate_from_a_file_without_rows(tmp_path, hr, teacher, head):
    before = active_ids()
    with pytest.raises(CommandError, match="this file has no rows"):
        run(tmp_path, csv_of(), "--commit", "--deactivate-missing", "--confirm-deactivate", "3")
    assert active_ids() == before and not PeopleImport.objects.exists()


def test_it_refuses_to_deactivate_more_than_a_tenth_without_the_exact_count(
    tmp_path, hr, teacher, colleague, head
):
    before = active_ids()
    # Without HR's and the Head's rows: both hold roles that read cases and are kept, so only the two
    # others would go (2 of 4 active).
    with pytest.raises(CommandError, match="would deactivate 2 of the 4 active people"):
        run(tmp_path, csv_of("nina@symphony.test,Nina,employee,,,"), "--commit", "--deactivate-missing")
    with pytest.raises(CommandError, match="you confirmed 1 but this import would deactivate 2"):
        run(
            tmp_path,
            csv_of("nina@symphony.test,Nina,employee,,,"),
            "--commit",
            "--deactivate-missing",
            "--confirm-deactivate",
            "1",
        )
    assert active_ids() == before and not User.objects.filter(email="nina@symphony.test").exists()
    out = run(
        tmp_path,
        csv_of("nina@symphony.test,Nina,employee,,,"),
        "--commit",
        "--deactivate-missing",
        "--confirm-deactivate",
        "2",
    )
    assert "Not deactivated (a trust administrator records their leaving): Harriet HR." in out
    assert "Not deactivated (a trust administrator records their leaving): Hannah Head." in out
    assert "To deactivate: Colin Colleague <" in out and "no role, Harmony Primary School" in out
    assert set(User.objects.filter(is_active=False)) == {teacher, colleague}
    assert User.objects.get(pk=hr.pk).is_active and User.objects.get(pk=head.pk).is_active


def test_it_deactivates_a_few_leavers_without_a_count(tmp_path, hr, harmony):
    staff = [make_person(f"Person {i}", school=harmony) for i in range(10)]
    rows = [HR_ROW, *(row(person) for person in staff[1:])]
    out = run(tmp_path, csv_of(*rows), "--commit", "--deactivate-missing")  # 1 of 11 active: under 10%
    assert "1 deactivated" in out
    assert list(User.objects.filter(is_active=False)) == [staff[0]]


def test_it_refuses_a_count_without_deactivating(tmp_path, hr):
    with pytest.raises(CommandError, match="goes with --deactivate-missing"):
        run(tmp_path, csv_of(HR_ROW), "--commit", "--confirm-deactivate", "1")
