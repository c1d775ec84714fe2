"""Report pages make the same number of queries for 2 reports as for 20."""

import pytest

from reports import services
from reports.evidence import CheckedFile
from reports.models import ConcernReport, Status
from tests.builders import make_person
from tests.reports.builders import make_report, png_bytes

pytestmark = pytest.mark.django_db


def grow(n, reporter, subject, head):
    for i in range(n):
        report = make_report(reporter, subject, files=[CheckedFile(f"{i}.png", "png", png_bytes())])
        services.add_note(report, note=f"Note {i}", by=head)
        services.change_status(report, to=Status.UNDER_REVIEW, note="Looking.", by=head)
    return ConcernReport.objects.first()


@pytest.mark.parametrize("size", [2, 20])
def test_it_lists_cases_in_constant_queries(
    client, size, teacher, colleague, head, django_assert_max_num_queries
):
    grow(size, teacher, colleague, head)
    client.force_login(head)
    with django_assert_max_num_queries(5):
        assert client.get("/reports/cases/").status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_it_lists_my_reports_in_constant_queries(
    client, size, teacher, colleague, head, django_assert_max_num_queries
):
    grow(size, teacher, colleague, head)
    client.force_login(teacher)
    with django_assert_max_num_queries(6):
        assert client.get("/reports/mine/").status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_it_opens_a_case_with_a_long_timeline_in_constant_queries(
    client, size, teacher, colleague, head, django_assert_max_num_queries
):
    report = make_report(teacher, colleague, files=[CheckedFile("a.png", "png", png_bytes())])
    for i in range(size):
        services.add_note(report, note=f"Note {i}", by=head)
        services.record_download(report.evidence.get(), by=head)
    client.force_login(head)
    # The re-check reads who is involved (possible subjects, who stepped aside) and the step they call for.
    with django_assert_max_num_queries(25):
        assert client.get(f"/reports/cases/{report.public_id}/").status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_it_counts_for_hr_in_constant_queries(
    client, size, teacher, hr, exec_head, django_assert_max_num_queries
):
    from symphony_portal.trust.models import Role, School

    for i in range(size):
        school = School.objects.create(name=f"School {i}", slug=f"school-{i}")
        make_person(f"Head {i}", school=school, roles=[(Role.HEAD_TEACHER, school)])
        make_report(teacher, make_person(f"Staff {i}", school=school))
    client.force_login(hr)
    with django_assert_max_num_queries(8):
        assert client.get("/reports/counts/").status_code == 200
