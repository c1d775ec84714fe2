"""Who handles a report, by each rule of the policy, and again when the case is opened."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from reports import services
from reports.models import ConcernReport, HandlerRole, ReportEvent
from symphony_portal.trust.models import Role, RoleAssignment
from tests.builders import make_person
from tests.reports.builders import make_report

pytestmark = pytest.mark.django_db


def test_it_routes_a_report_to_the_head_of_the_colleagues_school(
    teacher, colleague, head, other_head, exec_head
):
    report = make_report(teacher, colleague)
    assert (report.handler, report.handler_role, report.school) == (
        head,
        HandlerRole.HEAD_TEACHER,
        head.school,
    )


def test_it_routes_to_the_head_of_the_colleagues_school_even_from_another_school(
    colleague, head, other_head, crescendo
):
    reporter = make_person("Cara Crescendo", school=crescendo)
    assert make_report(reporter, colleague).handler == head


def test_it_routes_a_typed_in_name_to_the_head_of_the_reporters_school(teacher, head, other_head, exec_head):
    report = make_report(teacher, subject_name="Someone Who Left")
    assert report.handler == head
    assert report.subject is None and report.subject_name == "Someone Who Left"


def test_it_routes_a_typed_in_name_from_the_central_team_to_the_executive_head(exec_head, head):
    central = make_person("Cedric Central")
    assert make_report(central, subject_name="Somebody").handler == exec_head


def test_it_routes_a_report_about_a_head_to_the_executive_head(teacher, head, exec_head):
    report = make_report(teacher, head)
    assert (report.handler, report.handler_role) == (exec_head, HandlerRole.EXECUTIVE_HEAD)


def test_it_routes_a_report_about_the_head_of_another_school_to_the_executive_head(
    teacher, other_head, exec_head
):
    assert make_report(teacher, other_head).handler == exec_head


def test_it_routes_a_report_about_the_central_team_to_the_executive_head(teacher, hr, exec_head, head):
    assert make_report(teacher, hr).handler == exec_head


def test_it_routes_a_report_about_the_executive_head_to_the_chair_of_trustees(
    teacher, exec_head, chair, hr, head
):
    report = make_report(teacher, exec_head)
    assert (report.handler, report.handler_role) == (chair, HandlerRole.CHAIR_OF_TRUSTEES)


def test_it_routes_a_report_about_the_executive_head_to_hr_when_there_is_no_chair(
    teacher, exec_head, hr, head
):
    report = make_report(teacher, exec_head)
    assert (report.handler, report.handler_role) == (hr, HandlerRole.HR)


def test_it_never_routes_a_report_to_the_person_who_made_it(head, colleague, exec_head):
    # Harmony's Head reporting a member of her own staff: the case goes to the Executive Head Teacher.
    assert make_report(head, colleague).handler == exec_head


def test_it_refuses_a_report_when_nobody_can_handle_it(teacher, colleague):
    with pytest.raises(ValidationError, match="Nobody can receive this report"):
        make_report(teacher, colleague)
    assert not ConcernReport.objects.exists()


def test_it_refuses_a_report_about_oneself(teacher, head):
    with pytest.raises(ValidationError):
        make_report(teacher, teacher)


def test_it_reroutes_to_the_executive_head_when_the_subject_later_becomes_the_head(
    client, teacher, colleague, head, exec_head, django_capture_on_commit_callbacks
):
    report = make_report(teacher, colleague)
    assert report.handler == head
    # Hannah leaves her post and Colin, the colleague reported, becomes Harmony's Head.
    RoleAssignment.objects.filter(user=head).delete()
    RoleAssignment.objects.create(user=colleague, role=Role.HEAD_TEACHER, school=colleague.school)

    client.force_login(colleague)
    assert client.get(f"/reports/cases/{report.public_id}/").status_code == 404
    assert report.reference not in client.get("/reports/cases/").content.decode()

    mail.outbox.clear()
    client.force_login(exec_head)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(f"/reports/cases/{report.public_id}/").status_code == 200
    report.refresh_from_db()
    assert (report.handler, report.handler_role) == (exec_head, HandlerRole.EXECUTIVE_HEAD)
    event = report.events.get(kind=ReportEvent.Kind.REASSIGNED)
    assert event.assignee == exec_head and event.actor is None
    assert [m.to for m in mail.outbox] == [[exec_head.email]]


def test_it_reroutes_away_from_a_handler_who_became_the_subjects_head_while_still_head(
    client, teacher, colleague, head, exec_head
):
    report = make_report(teacher, colleague)
    # Colin becomes joint Head while Hannah stays: the case is no longer a school matter.
    RoleAssignment.objects.create(user=colleague, role=Role.HEAD_TEACHER, school=colleague.school)
    client.force_login(head)
    response = client.get(f"/reports/cases/{report.public_id}/")
    assert response.status_code == 302 and response["Location"] == "/reports/cases/"
    report.refresh_from_db()
    assert report.handler == exec_head
    client.force_login(colleague)
    assert client.get(f"/reports/cases/{report.public_id}/").status_code == 404


def test_it_reroutes_to_the_new_head_when_the_handler_has_left_the_role(
    client, teacher, colleague, head, exec_head
):
    report = make_report(teacher, colleague)
    RoleAssignment.objects.filter(user=head).delete()
    new_head = make_person("Nadia Newhead", school=head.school, roles=[(Role.HEAD_TEACHER, head.school)])
    client.force_login(exec_head)
    client.get(f"/reports/cases/{report.public_id}/")
    report.refresh_from_db()
    assert (report.handler, report.handler_role) == (new_head, HandlerRole.HEAD_TEACHER)


def test_it_leaves_the_handler_alone_while_they_still_fit(client, teacher, colleague, head, exec_head):
    report = make_report(teacher, colleague)
    client.force_login(head)
    assert client.get(f"/reports/cases/{report.public_id}/").status_code == 200
    report.refresh_from_db()
    assert report.handler == head
    assert not report.events.filter(kind=ReportEvent.Kind.REASSIGNED).exists()


def test_it_lets_the_handler_pass_the_case_to_the_executive_head_with_a_reason(
    client, teacher, colleague, head, exec_head, django_capture_on_commit_callbacks
):
    report = make_report(teacher, colleague)
    client.force_login(head)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/reports/cases/{report.public_id}/pass-on/", {"reason": "Colin is my brother-in-law."}
        )
    assert response.status_code == 302 and response["Location"] == "/reports/cases/"
    report.refresh_from_db()
    assert (report.handler, report.handler_role) == (exec_head, HandlerRole.EXECUTIVE_HEAD)
    event = report.events.get(kind=ReportEvent.Kind.REASSIGNED)
    assert (event.actor, event.assignee, event.note) == (head, exec_head, "Colin is my brother-in-law.")
    assert [m.to for m in mail.outbox] == [[exec_head.email]]
    assert client.get(f"/reports/cases/{report.public_id}/").status_code == 404


def test_it_asks_for_a_reason_to_pass_a_case_on(client, teacher, colleague, head, exec_head):
    report = make_report(teacher, colleague)
    client.force_login(head)
    response = client.post(f"/reports/cases/{report.public_id}/pass-on/", {"reason": "  "})
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.handler == head


def test_it_cannot_pass_a_case_about_the_executive_head_to_them(client, teacher, exec_head, chair):
    report = make_report(teacher, exec_head)
    client.force_login(chair)
    response = client.post(f"/reports/cases/{report.public_id}/pass-on/", {"reason": "Conflict."})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.handler == chair
    with pytest.raises(ValidationError):
        services.pass_to_executive_head(report, reason="Conflict.", by=chair)
