"""HR's import pages: upload, preview, confirm; everyone else is refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from symphony_portal.trust import services
from symphony_portal.trust.models import PeopleImport, User
from tests.builders import make_person
from tests.trust.importing import csv_of

pytestmark = pytest.mark.django_db

NINA = "nina.gordon@symphony.test,Nina Gordon,employee,Harmony Primary School,,Year 3 Teacher"


def upload(client, data: bytes | str, name: str = "people.csv"):
    data = data.encode("utf-8") if isinstance(data, str) else data
    return client.post("/people/import/", {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def test_it_shows_hr_the_upload_page_with_the_columns(client, hr):
    client.force_login(hr)
    page = client.get("/people/import/").content.decode()
    assert "Import people from a CSV file" in page
    assert "email, name, kind, school, role, job title" in page
    assert 'href="/people/import/"' in page  # the menu link


def test_it_keeps_an_upload_pending_and_shows_its_preview(client, hr, harmony, teacher):
    client.force_login(hr)
    users_before = User.objects.count()
    response = upload(client, csv_of(NINA, "tess.teacher@symphony.test,Tess Teacher,employee,,,Year 5"))
    record = PeopleImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/people/import/{record.pk}/"
    assert record.is_pending and record.uploaded_by == hr and record.filename == "people.csv"
    assert User.objects.count() == users_before

    page = client.get(f"/people/import/{record.pk}/").content.decode()
    assert "Nothing has changed yet" in page
    assert '<dt class="col-7 col-sm-4">New people</dt><dd class="col-5 col-sm-8">1</dd>' in page
    assert '<dt class="col-7 col-sm-4">Updated</dt><dd class="col-5 col-sm-8">1</dd>' in page
    assert "school: Harmony Primary School → Central trust team; job title: Year 6 Teacher → Year 5" in page
    assert "Confirm the import" in page


def test_it_imports_when_hr_confirms(client, hr, harmony, teacher, colleague):
    client.force_login(hr)
    upload(
        client,
        csv_of(NINA, "tess.teacher@symphony.test,Tess Teacher,employee,harmony-primary,,Year 6 Teacher"),
    )
    record = PeopleImport.objects.get()
    preview = client.get(f"/people/import/{record.pk}/").content.decode()
    assert "deactivate the 1 person listed above" in preview

    response = client.post(
        f"/people/import/{record.pk}/confirm/",
        {"deactivate_missing": "on", "deactivate_count": "1"},
        follow=True,
    )
    page = response.content.decode()
    assert "Imported: 1 created, 0 updated, 1 deactivated, 1 unchanged." in page
    record.refresh_from_db()
    assert record.status == PeopleImport.Status.IMPORTED and record.deactivate_missing
    assert User.objects.filter(email="nina.gordon@symphony.test", school=harmony).exists()
    assert not User.objects.get(pk=colleague.pk).is_active
    # Confirming twice does nothing more.
    again = client.post(f"/people/import/{record.pk}/confirm/", follow=True).content.decode()
    assert "This file has already been imported." in again
    assert User.objects.filter(email="nina.gordon@symphony.test").count() == 1


def test_it_lists_the_problems_and_refuses_to_confirm_a_file_with_errors(client, hr, harmony):
    client.force_login(hr)
    upload(client, csv_of(NINA, "bad-address,Someone,employee,,,", "x@symphony.test,X,employee,Atlantis,,"))
    record = PeopleImport.objects.get()
    page = client.get(f"/people/import/{record.pk}/").content.decode()
    assert "2 problems to fix" in page
    assert (
        "<td>3</td><td>bad-address</td><td>&quot;bad-address&quot; is not a valid email address.</td>" in page
    )
    assert "<td>4</td><td>x@symphony.test</td><td>There is no school called &quot;Atlantis&quot;" in page
    assert "Confirm the import" not in page

    response = client.post(f"/people/import/{record.pk}/confirm/", follow=True)
    assert "Nothing was imported: the file has 2 problems" in response.content.decode()
    assert not User.objects.filter(email="nina.gordon@symphony.test").exists()
    assert PeopleImport.objects.get().is_pending


def test_it_escapes_what_the_file_says(client, hr):
    client.force_login(hr)
    upload(client, csv_of("evil@symphony.test,<script>alert(1)</script>,employee,<b>x</b>,,"))
    page = client.get(f"/people/import/{PeopleImport.objects.get().pk}/").content.decode()
    assert "<script>alert(1)" not in page and "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("people.xlsx", b"email,name\n", "Choose a .csv file"),
        (
            "people.csv",
            "email,name,kind,school,role,job title\nzoë@x.test,Zoë,employee,,,\n".encode("cp1252"),
            "This file is not saved as UTF-8",
        ),
        ("people.csv", b"name,kind\nA,employee\n", "missing: email, school, role, job title"),
        ("people.csv", b"", "The submitted file is empty."),
    ],
)
def test_it_refuses_an_upload_it_cannot_read_and_says_why(client, hr, name, data, message):
    client.force_login(hr)
    response = upload(client, data, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PeopleImport.objects.exists()


def test_it_refuses_a_file_over_two_megabytes(client, hr):
    client.force_login(hr)
    data = csv_of("a@symphony.test,A,employee,,,").encode() + b" " * (2 * 1024 * 1024)
    response = upload(client, data)
    assert "the limit is 2 MB" in response.content.decode()
    assert not PeopleImport.objects.exists()


def test_it_refuses_everyone_but_hr(client, teacher, head, exec_head, governor):
    for person in (teacher, head, exec_head, governor):
        client.force_login(person)
        assert client.get("/people/import/").status_code == 403
        assert upload(client, csv_of(NINA)).status_code == 403
    assert not PeopleImport.objects.exists()


def test_it_hides_an_import_from_anyone_but_the_hr_person_who_uploaded_it(client, hr, teacher, harmony):
    other_hr = make_person("Hilda Otherhr", roles=["hr"])
    record = services.upload_people_import(csv_of(NINA), filename="people.csv", by=other_hr)
    for person in (hr, teacher):
        client.force_login(person)
        assert client.get(f"/people/import/{record.pk}/").status_code == 404
        assert client.post(f"/people/import/{record.pk}/confirm/").status_code == 404
    assert PeopleImport.objects.get().is_pending
    assert not User.objects.filter(email="nina.gordon@symphony.test").exists()


def test_it_refuses_their_own_import_to_someone_no_longer_in_hr(client, hr, harmony):
    record = services.upload_people_import(csv_of(NINA), filename="people.csv", by=hr)
    hr.role_assignments.all().delete()
    client.force_login(hr)
    assert client.post(f"/people/import/{record.pk}/confirm/").status_code == 403
    assert PeopleImport.objects.get().is_pending


def test_it_lists_the_hr_persons_recent_uploads(client, hr, harmony):
    record = services.upload_people_import(csv_of(NINA), filename="autumn-staff.csv", by=hr)
    client.force_login(hr)
    page = client.get("/people/import/").content.decode()
    assert f'<a href="/people/import/{record.pk}/">autumn-staff.csv</a>' in page
    assert "Waiting for confirmation" in page


def big_file(n: int) -> str:
    return csv_of(*(f"p{i}@symphony.test,Person {i},employee,harmony-primary,,Teacher" for i in range(n)))


@pytest.mark.parametrize("n", [50, 500])
def test_it_previews_in_a_constant_number_of_queries(client, hr, harmony, n, django_assert_max_num_queries):
    record = services.upload_people_import(big_file(n), filename="people.csv", by=hr)
    client.force_login(hr)
    with django_assert_max_num_queries(9):
        page = client.get(f"/people/import/{record.pk}/").content.decode()
    assert f'<dt class="col-7 col-sm-4">New people</dt><dd class="col-5 col-sm-8">{n}</dd>' in page
    assert ("The first 100 are shown." in page) == (n > 100)
