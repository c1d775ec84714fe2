"""Every ``can_*`` of every app's ``permissions.py`` answers each member of the cast as the table says.

The table below is the portal's access rules in one page. A predicate missing from it fails
``test_it_covers_every_predicate``; every ``check_*`` raises exactly when its ``can_*`` says no.
"""

import importlib
import inspect

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from symphony_portal.trust.models import Role, User
from tests.approvals.builders import make_site_request
from tests.builders import make_person
from tests.reports.builders import make_report

MODULES = [
    "symphony_portal.trust.permissions",
    "policies.permissions",
    "reports.permissions",
    "acknowledgements.permissions",
    "approvals.permissions",
]
CAST = [
    "teacher",
    "colleague",
    "other_teacher",
    "head",
    "other_head",
    "exec_head",
    "hr",
    "governor",
    "trustee",
    "chair",
    "administrator",  # a trust administrator (superuser)
    "leaver",  # HR who has left (inactive)
    "anonymous",
]
EVERYONE = set(CAST)
SIGNED_IN = EVERYONE - {"anonymous", "leaver"}
STAFF = {"teacher", "colleague", "other_teacher", "head", "other_head", "exec_head", "hr", "administrator"}

# predicate -> (what it is asked about, besides the person; who it says yes to)
TABLE = {
    # trust
    "trust.can_use_admin": ((), {"hr", "administrator"}),
    "trust.can_import_people": ((), {"hr"}),
    "trust.can_keep_tags": ((), {"hr"}),
    "trust.can_change_roles": ((), {"administrator"}),
    "trust.can_change_admin_flags": ((), {"administrator"}),
    "trust.can_set_password": (("teacher",), {"teacher"}),
    "trust.can_change_account": (("exec_head",), {"hr", "administrator"}),
    "trust.can_change_sign_in_address": (("exec_head",), {"administrator"}),
    "trust.can_delete_person": ((), set()),
    "trust.can_change_active_flag": (("exec_head",), {"administrator"}),
    # with PASSWORD_SIGN_IN_FOR_EMPLOYEES on (the default); off: tests/trust/test_single_sign_on.py
    "trust.can_sign_in_with_password": (
        (),
        {
            "teacher",
            "colleague",
            "other_teacher",
            "head",
            "other_head",
            "exec_head",
            "hr",
            "governor",
            "trustee",
            "chair",
            "administrator",
        },
    ),
    # someone else's second factor: a trust administrator, never for themselves
    "trust.can_reset_second_factor": (("exec_head",), {"administrator"}),
    # asked about the person, for an import run by HR: never HR herself, an administrator or a reader
    "trust.can_be_deactivated_by_import": (
        ("importer=hr",),
        {"teacher", "colleague", "other_teacher", "governor", "trustee"},
    ),
    # policies
    "policies.can_manage_reviews": ((), {"hr"}),
    "policies.can_add_policies": ((), {"hr"}),
    "policies.can_follow_reviews": ((), {"hr", "exec_head"}),
    "policies.can_see_exports": ((), {"hr"}),
    "policies.can_set_audience": ((), {"hr"}),
    # reports (no case exists here; the Chair and HR with a case are below)
    "reports.can_report": ((), SIGNED_IN),
    "reports.can_handle_every_case": ((), {"exec_head"}),
    "reports.can_list_cases": ((), {"head", "other_head", "exec_head"}),
    "reports.can_see_counts": ((), {"hr"}),
    # the case is Tess's report about Colin, handled by Harmony's Head: only its handler steps aside
    "reports.can_step_aside": (("case",), {"head"}),
    # acknowledgements
    "acknowledgements.can_acknowledge": ((), SIGNED_IN),
    "acknowledgements.can_see_trust_compliance": ((), {"hr", "exec_head"}),
    "acknowledgements.can_see_school_compliance": (("harmony",), {"hr", "exec_head", "head"}),
    "acknowledgements.can_see_compliance": ((), {"hr", "exec_head", "head", "other_head"}),
    "acknowledgements.can_use_signoff_packs": ((), {"hr", "exec_head"}),
    "acknowledgements.can_send_reminders_to_trust": ((), {"hr", "exec_head"}),
    "acknowledgements.can_send_reminders_to_school": (("harmony",), {"hr", "exec_head", "head"}),
    # approvals (the request is Tess's, at Harmony, run by Colin and Olive)
    "approvals.can_ask_for_approval": ((), STAFF),
    "approvals.can_decide_requests": ((), {"head", "other_head", "exec_head"}),
    "approvals.can_decide_every_request": ((), {"exec_head"}),
    "approvals.can_see_every_school": ((), {"exec_head", "hr"}),
    "approvals.can_decide": (("site_request",), {"head", "exec_head"}),
    "approvals.can_record_link": (("site_request",), {"teacher", "colleague", "other_teacher"}),
    "approvals.can_download_register": ((), {"hr"}),
    "approvals.can_search_runners": ((), STAFF),
    # Tess (Harmony) names runners from Harmony and the central team, never another school's Head
    "approvals.can_run_site_for": (
        ("requester=teacher",),
        {"teacher", "colleague", "other_teacher", "head", "exec_head", "hr", "administrator"},
    ),
}


def _module(app: str):
    return importlib.import_module(
        "symphony_portal.trust.permissions" if app == "trust" else f"{app}.permissions"
    )


def _predicates() -> dict[str, object]:
    found = {}
    for name in MODULES:
        module = importlib.import_module(name)
        app = "trust" if name.startswith("symphony_portal") else name.split(".")[0]
        for attr, value in vars(module).items():
            if attr.startswith("can_") and inspect.isfunction(value) and value.__module__ == name:
                found[f"{app}.{attr}"] = value
    return found


@pytest.fixture
def cast(request, db):
    """Everyone in the table, made once per test: the cast of tests/conftest.py and three more."""
    people = {name: request.getfixturevalue(name) for name in CAST[:10]}
    people["administrator"] = User.objects.create_superuser("ada.admin@symphony.test", "ada-password-1")
    people["leaver"] = make_person("Lee Leaver", roles=[Role.HR], is_active=False)
    people["anonymous"] = AnonymousUser()
    people["harmony"] = request.getfixturevalue("harmony")
    people["site_request"] = make_site_request(
        people["teacher"], runners=[people["colleague"], people["other_teacher"]]
    )
    people["case"] = make_report(people["teacher"], people["colleague"])
    # Fresh from the database: role facts are read once per instance.
    return {k: User.objects.get(pk=v.pk) if isinstance(v, User) else v for k, v in people.items()}


def ask(predicate, member, arguments, cast):
    args, kwargs = [], {}
    for argument in arguments:
        if "=" in argument:
            key, value = argument.split("=")
            kwargs[key] = cast[value]
        else:
            args.append(cast[argument])
    return predicate(cast[member], *args, **kwargs)


def test_it_covers_every_predicate():
    assert sorted(_predicates()) == sorted(TABLE)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_it_answers_each_member_of_the_cast_as_the_table_says(cast, name):
    predicate = _predicates()[name]
    arguments, yes = TABLE[name]
    answers = {member: ask(predicate, member, arguments, cast) for member in CAST}
    assert {member for member, answer in answers.items() if answer} == yes
    assert all(isinstance(answer, bool) for answer in answers.values())


def test_it_raises_from_every_check_exactly_when_its_predicate_says_no(cast):
    checked = 0
    for name in MODULES:
        module = importlib.import_module(name)
        app = "trust" if name.startswith("symphony_portal") else name.split(".")[0]
        for attr, check in vars(module).items():
            if not (attr.startswith("check_") and inspect.isfunction(check)):
                continue
            predicate_name = f"{app}.can_{attr.removeprefix('check_can_')}"
            arguments, _ = TABLE[predicate_name]
            for member in CAST:
                allowed = ask(_predicates()[predicate_name], member, arguments, cast)
                if allowed:
                    assert ask(check, member, arguments, cast) is None
                else:
                    with pytest.raises(PermissionDenied):
                        ask(check, member, arguments, cast)
                checked += 1
    assert checked >= 10 * len(CAST)


def test_it_gives_the_chair_a_list_of_cases_while_she_handles_one(cast):
    make_report(cast["teacher"], cast["exec_head"])  # about the Executive Head: the Chair handles it
    predicate = _predicates()["reports.can_list_cases"]
    answers = {m for m in CAST if predicate(User.objects.get(pk=cast[m].pk) if cast[m].pk else cast[m])}
    # The Executive Head keeps her list (of other cases): this one, about her, is never in it.
    assert answers == {"head", "other_head", "exec_head", "chair"}


def test_it_gives_hr_a_list_of_cases_while_they_stand_in_for_the_chair(db, harmony, teacher, exec_head, hr):
    make_report(teacher, exec_head)  # no Chair of Trustees: HR handles it
    from reports.permissions import can_list_cases

    assert can_list_cases(User.objects.get(pk=hr.pk))
    assert not can_list_cases(User.objects.get(pk=teacher.pk))
