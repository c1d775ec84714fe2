"""A typed-in name never reaches anyone it could mean: routing, re-checks, stepping aside, on the demo cast.

The demo trust (fixtures/demo_trust.json): Harmony Primary School (Sarah Okafor, Head; Tom Baker, Amira
Khan, Josh Reed), Crescendo Academy (David Lin, Head of School; Chloe Price, Ben Carter), the central
team (Helen Marsh, Executive Head Teacher; Priya Shah, HR; Graham Holt, Chair of Trustees; Lucy Ward).
Every scenario ends by asking the portal who can open the case (``who_can_open``): nobody the typed
name could mean is ever among them.
"""

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from reports import services
from reports.models import ConcernReport, HandlerRole, ReportEvent
from symphony_portal.trust.models import Role, RoleAssignment, User
from tests.builders import make_person
from tests.reports.builders import make_report, who_can_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo_trust", verbosity=0)
    people = {u.full_name: u for u in User.objects.all()}
    # A second Lin at Harmony and a Reed who has left: names that mean more than one person.
    people["Daisy Lin"] = make_person("Daisy Lin", school=people["Tom Baker"].school, job_title="Teacher")
    people["Jo Reed"] = make_person("Jo Reed", school=people["Tom Baker"].school, is_active=False)
    return people


def names(people) -> set[str]:
    return {p.full_name for p in people}


def assert_nobody_it_may_mean_can_open(report) -> None:
    possible = set(report.possible_subjects.all())
    assert report.handler not in possible
    reached = who_can_open(report) & possible
    assert not reached, f"{report.subject_name!r} reached {names(reached)}"


# (kind of variant, reporter, what they type, everyone it could mean, who gets the case)
SCENARIOS = [
    # The Head of School typed by her own staff: it starts at the Executive Head Teacher.
    ("exact", "Chloe Price", "David Lin", {"David Lin"}, "Helen Marsh"),
    ("case", "Chloe Price", "dAVID lIN", {"David Lin"}, "Helen Marsh"),
    ("case", "Ben Carter", "DAVID LIN", {"David Lin"}, "Helen Marsh"),
    ("spacing", "Chloe Price", "   David \t  Lin  ", {"David Lin"}, "Helen Marsh"),
    ("spacing", "Ben Carter", "DavidLin", {"David Lin"}, "Helen Marsh"),
    ("punctuation", "Chloe Price", "David-Lin.", {"David Lin"}, "Helen Marsh"),
    ("punctuation", "Ben Carter", "david.lin!", {"David Lin"}, "Helen Marsh"),
    ("titles", "Chloe Price", "Mr David Lin", {"David Lin"}, "Helen Marsh"),
    ("titles", "Ben Carter", "Mr. Lin", {"David Lin", "Daisy Lin"}, "Helen Marsh"),
    ("titles", "Chloe Price", "Dr D. Lin", {"David Lin", "Daisy Lin"}, "Helen Marsh"),
    ("order", "Chloe Price", "Lin, David", {"David Lin"}, "Helen Marsh"),
    ("order", "Ben Carter", "LIN David", {"David Lin"}, "Helen Marsh"),
    ("initials", "Chloe Price", "D. Lin", {"David Lin", "Daisy Lin"}, "Helen Marsh"),
    ("initials", "Ben Carter", "D Lin", {"David Lin", "Daisy Lin"}, "Helen Marsh"),
    ("slip", "Chloe Price", "Davd Lin", {"David Lin"}, "Helen Marsh"),  # a letter left out
    ("slip", "Ben Carter", "Daivd Lin", {"David Lin"}, "Helen Marsh"),  # two letters swapped
    ("slip", "Chloe Price", "David Linn", {"David Lin"}, "Helen Marsh"),  # a letter added
    ("slip", "Ben Carter", "Dovid Lin", {"David Lin"}, "Helen Marsh"),  # a letter changed
    ("accents", "Chloe Price", "Dávid Lín", {"David Lin"}, "Helen Marsh"),
    # The Executive Head Teacher typed by the central team, and by school staff: the Chair of Trustees.
    ("exact", "Lucy Ward", "Helen Marsh", {"Helen Marsh"}, "Graham Holt"),
    ("titles", "Lucy Ward", "Mrs Marsh", {"Helen Marsh"}, "Graham Holt"),
    ("order", "Lucy Ward", "Marsh, Helen", {"Helen Marsh"}, "Graham Holt"),
    ("initials", "Lucy Ward", "H. Marsh", {"Helen Marsh"}, "Graham Holt"),
    ("slip", "Lucy Ward", "Helen Mrash", {"Helen Marsh"}, "Graham Holt"),
    ("case", "Tom Baker", "helen marsh", {"Helen Marsh"}, "Graham Holt"),
    # The Chair of Trustees (central team): the Executive Head Teacher.
    ("exact", "Tom Baker", "Graham Holt", {"Graham Holt"}, "Helen Marsh"),
    ("titles", "Lucy Ward", "Mr Holt", {"Graham Holt"}, "Helen Marsh"),
    # The Executive Head Teacher reporting the Chair: HR.
    ("exact", "Helen Marsh", "Graham Holt", {"Graham Holt"}, "Priya Shah"),
    # HR, typed by school staff: the Executive Head Teacher.
    ("slip", "Tom Baker", "Priya Sha", {"Priya Shah"}, "Helen Marsh"),
    # Harmony's Head typed by her staff.
    ("titles", "Tom Baker", "Mrs Okafor", {"Sarah Okafor"}, "Helen Marsh"),
    # Staff of the reporter's own school: their Head, who is not among those it could mean.
    ("order", "Tom Baker", "Khan Amira", {"Amira Khan"}, "Sarah Okafor"),
    # Two people: Josh Reed, and Jo Reed who has left the trust (inactive people count too).
    ("two people", "Tom Baker", "J. Reed", {"Josh Reed", "Jo Reed"}, "Sarah Okafor"),
    ("inactive", "Amira Khan", "Jo Reed", {"Jo Reed"}, "Sarah Okafor"),
    # A name in nobody's directory: the Head of the reporter's school.
    ("nobody", "Tom Baker", "Someone Who Left", set(), "Sarah Okafor"),
]


@pytest.mark.parametrize(("kind", "reporter", "typed", "could_mean", "handler"), SCENARIOS)
def test_it_routes_a_typed_name_away_from_everyone_it_could_mean(
    demo, kind, reporter, typed, could_mean, handler
):
    report = make_report(demo[reporter], subject_name=typed)
    assert report.subject is None and report.subject_name == typed.strip()
    assert names(report.possible_subjects.all()) == could_mean, kind
    assert report.handler.full_name == handler, kind
    assert_nobody_it_may_mean_can_open(report)


def test_it_routes_a_name_that_could_mean_the_head_of_the_routing_school_to_the_executive_head(demo):
    # Tom (Harmony) types a name that could mean Sarah, his own Head: never to her.
    report = make_report(demo["Tom Baker"], subject_name="S Okafor")
    assert (report.handler.full_name, report.handler_role) == ("Helen Marsh", HandlerRole.EXECUTIVE_HEAD)
    assert_nobody_it_may_mean_can_open(report)


def test_it_goes_up_to_hr_when_a_typed_name_could_mean_the_executive_head_and_there_is_no_chair(demo):
    RoleAssignment.objects.filter(role=Role.CHAIR_OF_TRUSTEES).delete()
    report = make_report(demo["Tom Baker"], subject_name="Marsh")
    assert (report.handler.full_name, report.handler_role) == ("Priya Shah", HandlerRole.HR)
    assert_nobody_it_may_mean_can_open(report)


def test_it_records_the_picked_colleague_as_the_possible_subject(demo):
    report = make_report(demo["Tom Baker"], demo["Josh Reed"])
    assert list(report.possible_subjects.all()) == [demo["Josh Reed"]]
    assert_nobody_it_may_mean_can_open(report)


def test_it_leaves_the_reporter_out_of_the_people_their_typed_name_could_mean(demo):
    report = make_report(demo["Daisy Lin"], subject_name="D. Lin")
    assert names(report.possible_subjects.all()) == {"David Lin"}
    assert report.reporter.full_name == "Daisy Lin"


# --- A possible subject whose role changes later --------------------------------------------------------


def opened_by(client, person, report):
    client.force_login(person)
    return client.get(f"/reports/cases/{report.public_id}/")


def test_it_never_hands_the_case_to_a_possible_subject_who_becomes_the_head(
    client, demo, django_capture_on_commit_callbacks
):
    report = make_report(demo["Tom Baker"], subject_name="Amira Kahn")
    assert report.handler == demo["Sarah Okafor"]
    # Sarah leaves her post; Amira, whom the typed name may mean, becomes Harmony's Head.
    harmony = demo["Sarah Okafor"].school
    RoleAssignment.objects.filter(user=demo["Sarah Okafor"]).delete()
    RoleAssignment.objects.create(user=demo["Amira Khan"], role=Role.HEAD_TEACHER, school=harmony)

    assert opened_by(client, demo["Amira Khan"], report).status_code == 404
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert opened_by(client, demo["Helen Marsh"], report).status_code == 200
    report.refresh_from_db()
    assert (report.handler.full_name, report.handler_role) == ("Helen Marsh", HandlerRole.EXECUTIVE_HEAD)
    assert [m.to for m in mail.outbox] == [[demo["Helen Marsh"].email]]
    client.force_login(demo["Amira Khan"])
    assert report.reference not in client.get("/reports/cases/").content.decode()
    assert_nobody_it_may_mean_can_open(report)


def test_it_takes_the_case_up_when_a_possible_subject_becomes_a_head_while_the_handler_stays(client, demo):
    report = make_report(demo["Tom Baker"], subject_name="Amira Khan")
    # Amira becomes joint Head while Sarah stays: a report that may be about a Head is not a school matter.
    RoleAssignment.objects.create(user=demo["Amira Khan"], role=Role.HEAD_TEACHER, school=report.school)
    response = opened_by(client, demo["Sarah Okafor"], report)
    assert response.status_code == 302 and response["Location"] == "/reports/cases/"
    report.refresh_from_db()
    assert report.handler.full_name == "Helen Marsh"
    assert_nobody_it_may_mean_can_open(report)


def test_it_never_hands_the_case_to_a_possible_subject_who_becomes_the_executive_head(client, demo):
    report = make_report(demo["Tom Baker"], subject_name="Josh Reid")
    assert names(report.possible_subjects.all()) == {"Josh Reed"}
    # Helen retires; Josh becomes the Executive Head Teacher and so sees every case but this one.
    RoleAssignment.objects.filter(role=Role.EXECUTIVE_HEAD).delete()
    RoleAssignment.objects.create(user=demo["Josh Reed"], role=Role.EXECUTIVE_HEAD)
    assert opened_by(client, demo["Josh Reed"], report).status_code == 404
    # Sarah opens it: a report that may be about the Executive Head is the Chair's now.
    assert opened_by(client, demo["Sarah Okafor"], report).status_code == 302
    report.refresh_from_db()
    assert (report.handler.full_name, report.handler_role) == ("Graham Holt", HandlerRole.CHAIR_OF_TRUSTEES)
    assert_nobody_it_may_mean_can_open(report)


def test_it_never_hands_the_case_to_a_possible_subject_who_becomes_hr(client, demo):
    report = make_report(demo["Tom Baker"], subject_name="Lucy Ward")
    assert report.handler.full_name == "Helen Marsh"
    # Lucy joins HR; then the Executive Head leaves the trust and there is no Chair: HR's step.
    RoleAssignment.objects.create(user=demo["Lucy Ward"], role=Role.HR)
    RoleAssignment.objects.filter(role=Role.CHAIR_OF_TRUSTEES).delete()
    User.objects.filter(pk=demo["Helen Marsh"].pk).update(is_active=False)
    opened_by(client, demo["Priya Shah"], report)  # not hers yet: 404, but nothing else changes
    services.recheck_handler(report)
    report.refresh_from_db()
    assert (report.handler.full_name, report.handler_role) == ("Priya Shah", HandlerRole.HR)
    assert opened_by(client, demo["Lucy Ward"], report).status_code == 404
    assert_nobody_it_may_mean_can_open(report)


def test_it_keeps_the_case_rather_than_hand_it_to_the_only_hr_who_may_be_its_subject(client, demo):
    report = make_report(demo["Tom Baker"], subject_name="Lucy Ward")
    RoleAssignment.objects.filter(role__in=[Role.HR, Role.CHAIR_OF_TRUSTEES]).delete()
    RoleAssignment.objects.create(user=demo["Lucy Ward"], role=Role.HR)
    RoleAssignment.objects.filter(role=Role.EXECUTIVE_HEAD).delete()  # Helen leaves her role
    assert services.recheck_handler(report) is False
    report.refresh_from_db()
    assert report.handler.full_name == "Helen Marsh"
    assert opened_by(client, demo["Lucy Ward"], report).status_code == 404
    assert_nobody_it_may_mean_can_open(report)


# --- Stepping aside --------------------------------------------------------------------------------------


def step_aside(client, person, report, **data):
    client.force_login(person)
    return client.post(f"/reports/cases/{report.public_id}/step-aside/", {"confirm": "on", **data})


def test_it_lets_a_handler_step_aside_from_the_case_list_before_opening_it(
    client, demo, django_capture_on_commit_callbacks
):
    report = make_report(demo["Tom Baker"], subject_name="Josh Reed")
    sarah = demo["Sarah Okafor"]
    client.force_login(sarah)
    listing = client.get("/reports/cases/").content.decode()
    assert f"/reports/cases/{report.public_id}/step-aside/" in listing
    page = client.get(f"/reports/cases/{report.public_id}/step-aside/")
    assert page.status_code == 200
    assert report.description not in page.content.decode()  # the details stay unopened
    assert "Tom Baker" not in page.content.decode()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = step_aside(client, sarah, report)
    assert response.status_code == 302 and response["Location"] == "/reports/cases/"
    report.refresh_from_db()
    assert (report.handler.full_name, report.handler_role) == ("Helen Marsh", HandlerRole.EXECUTIVE_HEAD)
    assert list(report.stepped_aside.all()) == [sarah]
    event = report.events.get(kind=ReportEvent.Kind.STEPPED_ASIDE)
    assert (event.actor, event.assignee) == (sarah, demo["Helen Marsh"])
    assert [m.to for m in mail.outbox] == [[demo["Helen Marsh"].email]]
    assert mail.outbox[0].subject == "A report has been assigned to you"
    assert not report.events.filter(kind=ReportEvent.Kind.OPENED).exists()
    assert "You have stepped aside" in client.get("/reports/cases/").content.decode()
    assert client.get(f"/reports/cases/{report.public_id}/").status_code == 404
    assert sarah not in who_can_open(report)
    assert_nobody_it_may_mean_can_open(report)


def test_it_passes_the_case_up_the_chain_at_each_step_aside_and_never_back(client, demo):
    report = make_report(demo["Tom Baker"], subject_name="Josh Reed")
    for person, next_handler in [
        ("Sarah Okafor", "Helen Marsh"),
        ("Helen Marsh", "Graham Holt"),  # the Executive Head, who sees every case, loses this one
        ("Graham Holt", "Priya Shah"),
    ]:
        assert step_aside(client, demo[person], report).status_code == 302
        report.refresh_from_db()
        assert report.handler.full_name == next_handler
        assert opened_by(client, demo[person], report).status_code == 404
    # HR is the last step and has no one else: she is told, and nothing changes.
    response = step_aside(client, demo["Priya Shah"], report)
    assert response.status_code == 400 and "Nobody further up the chain" in response.content.decode()
    report.refresh_from_db()
    assert report.handler.full_name == "Priya Shah"
    assert names(report.stepped_aside.all()) == {"Sarah Okafor", "Helen Marsh", "Graham Holt"}
    # A re-check never returns the case to anyone who stepped aside, even once they fit again.
    RoleAssignment.objects.filter(user=demo["Priya Shah"]).delete()
    assert services.recheck_handler(report) is False  # nobody left: it stays, not back down
    assert who_can_open(report) & set(report.stepped_aside.all()) == set()
    assert_nobody_it_may_mean_can_open(report)


def test_it_never_steps_a_case_aside_to_a_possible_subject(client, demo):
    report = make_report(demo["Tom Baker"], subject_name="Josh Reed")
    # Josh has become the Executive Head since, and nobody has opened the case yet.
    RoleAssignment.objects.filter(role=Role.EXECUTIVE_HEAD).delete()
    RoleAssignment.objects.create(user=demo["Josh Reed"], role=Role.EXECUTIVE_HEAD)
    assert step_aside(client, demo["Sarah Okafor"], report).status_code == 302
    report.refresh_from_db()
    assert report.handler.full_name == "Graham Holt"
    assert_nobody_it_may_mean_can_open(report)


def test_it_asks_the_handler_to_confirm_stepping_aside(client, demo):
    report = make_report(demo["Tom Baker"], subject_name="Josh Reed")
    client.force_login(demo["Sarah Okafor"])
    response = client.post(f"/reports/cases/{report.public_id}/step-aside/", {})
    assert response.status_code == 400 and "Tick the box" in response.content.decode()
    report.refresh_from_db()
    assert report.handler == demo["Sarah Okafor"] and not report.stepped_aside.exists()


def test_it_refuses_stepping_aside_to_everyone_but_the_handler(client, demo):
    report = make_report(demo["Tom Baker"], subject_name="Josh Reed")
    expected = {
        "Tom Baker": 404,  # the reporter
        "Josh Reed": 404,  # whom it may be about
        "David Lin": 404,  # another school's Head
        "Priya Shah": 404,  # HR
        "Graham Holt": 404,
        "Helen Marsh": 403,  # sees the case, but does not handle it
    }
    for name, status in expected.items():
        assert step_aside(client, demo[name], report).status_code == status, name
        client.force_login(demo[name])
        assert client.get(f"/reports/cases/{report.public_id}/step-aside/").status_code == status, name
    client.logout()
    response = client.post(f"/reports/cases/{report.public_id}/step-aside/", {"confirm": "on"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    report.refresh_from_db()
    assert report.handler == demo["Sarah Okafor"] and not report.stepped_aside.exists()
    assert not report.events.filter(kind=ReportEvent.Kind.STEPPED_ASIDE).exists()


def test_it_refuses_stepping_aside_without_the_csrf_token(demo):
    report = make_report(demo["Tom Baker"], subject_name="Josh Reed")
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo["Sarah Okafor"])
    response = client.post(f"/reports/cases/{report.public_id}/step-aside/", {"confirm": "on"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.handler == demo["Sarah Okafor"]


def test_it_refuses_stepping_aside_from_a_closed_case(client, demo):
    report = make_report(demo["Tom Baker"], subject_name="Josh Reed")
    services.change_status(
        report, to="closed", note="Done.", outcome="informal_advice", by=demo["Sarah Okafor"]
    )
    assert step_aside(client, demo["Sarah Okafor"], report).status_code == 403
    client.force_login(demo["Sarah Okafor"])
    assert (
        f"/reports/cases/{report.public_id}/step-aside/" not in client.get("/reports/cases/").content.decode()
    )
    report.refresh_from_db()
    assert report.handler == demo["Sarah Okafor"]


def test_it_moves_the_case_once_when_the_handler_steps_aside_twice(client, demo):
    report = make_report(demo["Tom Baker"], subject_name="Josh Reed")
    assert step_aside(client, demo["Sarah Okafor"], report).status_code == 302
    assert step_aside(client, demo["Sarah Okafor"], report).status_code == 404  # no longer hers
    report.refresh_from_db()
    assert report.handler.full_name == "Helen Marsh"
    assert report.events.filter(kind=ReportEvent.Kind.STEPPED_ASIDE).count() == 1


def test_it_checks_the_handler_in_the_service_too(demo):
    from django.core.exceptions import PermissionDenied

    report = make_report(demo["Tom Baker"], subject_name="Josh Reed")
    with pytest.raises(PermissionDenied):
        services.step_aside(report, by=demo["Helen Marsh"])
    assert ConcernReport.objects.get(pk=report.pk).handler == demo["Sarah Okafor"]


# --- The form: a typed name that matches someone in the directory ---------------------------------------


def form_data(**overrides) -> dict:
    data = {
        "action": "submit",
        "colleague_name": "",
        "platform": "facebook",
        "seen_on": "2026-11-20",
        "still_visible": "yes",
        "description": "A post about the school trip with a photo of pupils.",
    }
    data.update(overrides)
    return data


def test_it_asks_the_reporter_to_pick_the_person_their_typed_name_matches(client, demo):
    client.force_login(demo["Chloe Price"])
    response = client.post("/reports/new/", form_data(colleague_name="Mr D. Lin"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "The name you typed matches 2 people in the trust directory" in page
    assert f'value="{demo["David Lin"].pk}"' in page and f'value="{demo["Daisy Lin"].pk}"' in page
    assert "The person I mean is not in this list" in page
    # Nothing typed is lost.
    assert 'value="Mr D. Lin"' in page and "A post about the school trip with a photo of pupils." in page
    assert not ConcernReport.objects.exists()

    # She picks David Lin instead: the report is about him, and goes to the Executive Head Teacher.
    response = client.post("/reports/new/", form_data(colleague=demo["David Lin"].pk))
    assert response.status_code == 302
    report = ConcernReport.objects.get()
    assert (report.subject, report.handler) == (demo["David Lin"], demo["Helen Marsh"])
    assert_nobody_it_may_mean_can_open(report)


def test_it_records_everyone_a_typed_name_could_mean_when_the_reporter_insists(client, demo):
    client.force_login(demo["Chloe Price"])
    response = client.post("/reports/new/", form_data(colleague_name="Lin, D", colleague_name_confirmed="on"))
    assert response.status_code == 302
    report = ConcernReport.objects.get()
    assert report.subject is None and report.subject_name == "Lin, D"
    assert names(report.possible_subjects.all()) == {"David Lin", "Daisy Lin"}
    assert report.handler == demo["Helen Marsh"]
    assert_nobody_it_may_mean_can_open(report)


def test_it_takes_a_name_matching_only_people_who_have_left_without_asking(client, demo):
    client.force_login(demo["Amira Khan"])
    assert client.post("/reports/new/", form_data(colleague_name="jo reed")).status_code == 302
    report = ConcernReport.objects.get()
    assert names(report.possible_subjects.all()) == {"Jo Reed"}
    assert_nobody_it_may_mean_can_open(report)


def test_it_takes_a_name_matching_nobody_without_asking(client, demo):
    client.force_login(demo["Tom Baker"])
    assert client.post("/reports/new/", form_data(colleague_name="Someone Else")).status_code == 302
    report = ConcernReport.objects.get()
    assert not report.possible_subjects.exists() and report.handler == demo["Sarah Okafor"]


def test_it_never_offers_the_reporter_themselves(client, demo):
    client.force_login(demo["Daisy Lin"])
    page = client.post("/reports/new/", form_data(colleague_name="D Lin")).content.decode()
    assert f'value="{demo["David Lin"].pk}"' in page
    assert f'id="colleague-{demo["Daisy Lin"].pk}"' not in page


def test_it_shows_the_handler_whom_a_typed_name_may_mean(client, demo):
    report = make_report(demo["Tom Baker"], subject_name="J Reed")
    client.force_login(demo["Sarah Okafor"])
    page = client.get(f"/reports/cases/{report.public_id}/").content.decode()
    assert "In the directory this name may mean: " in page
    assert "Josh Reed, Year 3 Teacher (Harmony Primary School)" in page
    assert "Jo Reed (Harmony Primary School, has left)" in page


# --- Someone the typed name could mean who joins, or is renamed, after the report was made ---------------


def test_it_never_hands_the_case_to_someone_the_name_could_mean_who_joins_later_as_head(client, demo):
    report = make_report(demo["Tom Baker"], subject_name="Sam Green")
    assert not report.possible_subjects.exists() and report.handler == demo["Sarah Okafor"]
    # Sarah leaves; "Sam Greene" joins Harmony as its Head.
    RoleAssignment.objects.filter(user=demo["Sarah Okafor"]).delete()
    newcomer = make_person("Sam Greene", school=report.school, roles=[(Role.HEAD_TEACHER, report.school)])
    services.recheck_handler(report)
    report.refresh_from_db()
    assert report.handler == demo["Helen Marsh"]
    assert list(report.possible_subjects.all()) == [newcomer]
    assert opened_by(client, newcomer, report).status_code == 404
    assert_nobody_it_may_mean_can_open(report)


def test_it_closes_the_case_to_an_executive_head_the_name_could_mean_who_arrives_later(client, demo):
    report = make_report(demo["Tom Baker"], subject_name="Sam Green")
    newcomer = make_person("Sam Green", roles=[Role.EXECUTIVE_HEAD])
    client.force_login(newcomer)
    assert report.reference not in client.get("/reports/cases/").content.decode()
    assert client.get(f"/reports/cases/{report.public_id}/").status_code == 404
    assert client.get(f"/reports/cases/{report.public_id}/step-aside/").status_code == 404
    assert list(report.possible_subjects.all()) == [newcomer]
    assert_nobody_it_may_mean_can_open(report)


def test_it_records_the_possible_subjects_of_reports_made_before_they_were_kept(demo):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "reports.migrations.0003_record_possible_subjects_of_existing_reports"
    )
    typed = make_report(demo["Chloe Price"], subject_name="Mr D. Lin")
    picked = make_report(demo["Tom Baker"], demo["Josh Reed"])
    ConcernReport.possible_subjects.through.objects.all().delete()  # as they were before the migration
    migration.record(apps, None)
    assert names(typed.possible_subjects.all()) == {"David Lin", "Daisy Lin"}
    assert list(picked.possible_subjects.all()) == [demo["Josh Reed"]]


def test_it_finds_colleagues_in_the_directory_however_their_name_is_written(client, demo):
    client.force_login(demo["Chloe Price"])
    for query in ["Lin, David", "Mr D. Lin", "Davdi Lin"]:
        page = client.post("/reports/new/", {"action": "find", "colleague_search": query}).content.decode()
        assert f'id="colleague-{demo["David Lin"].pk}"' in page, query
    page = client.post("/reports/new/", {"action": "find", "colleague_search": "Jo Reed"}).content.decode()
    assert f'colleague-{demo["Jo Reed"].pk}"' not in page  # people who have left are not offered
