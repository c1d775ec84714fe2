"""Every named URL answers each kind of person as the table says; a URL missing from the table fails.

The tables live in tests/authorization/tables/, one module per app: ``ROWS`` maps a URL name to a Row,
``build(world)`` makes the objects those rows need, and ``EXTRA_CHECKS`` adds further
(url name, args, expectations) cases for the same URL with other objects (a draft, another school's).
Every answer is also checked for its headers (tests/authorization/headers.py): each HTML page answered 200
carries the strict Content-Security-Policy, and each answer to a signed-in person is no-store, private.
"""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.authorization import tables
from tests.authorization.headers import header_problems, tally
from tests.authorization.world import REQUIRED_PEOPLE, World

# The admin is Django's own, behind its own permission check; tests/trust/test_admin.py covers who gets in.
EXCLUDED_NAMESPACES = {"admin"}


def table_modules():
    return [
        importlib.import_module(f"{tables.__name__}.{m.name}") for m in pkgutil.iter_modules(tables.__path__)
    ]


def all_rows() -> dict:
    rows = {}
    for module in table_modules():
        for name, row in module.ROWS.items():
            assert name not in rows, f"{name} is in two authorization tables"
            rows[name] = row
    return rows


def named_urls(patterns=None, namespace: str | None = None) -> set[str]:
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if pattern.namespace and pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            prefix = f"{namespace}:" if namespace and pattern.namespace else ""
            names |= named_urls(pattern.url_patterns, f"{prefix}{inner}" if inner else None)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


@pytest.fixture
def world(
    teacher,
    colleague,
    other_teacher,
    governor,
    trustee,
    chair,
    head,
    other_head,
    exec_head,
    hr,
    settings,
    tmp_path,
):
    # Files the tables create (evidence, exports) stay in this test's folder, never in var/.
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    w = World(
        people={
            "anonymous": None,
            "staff": teacher,
            "colleague": colleague,
            "other_staff": other_teacher,
            "governor": governor,
            "trustee": trustee,
            "chair": chair,
            "head": head,
            "other_head": other_head,
            "exec_head": exec_head,
            "hr": hr,
        }
    )
    for module in table_modules():
        module.build(w)
    return w


def check(world, name, args, row_method, data, expect) -> list[str]:
    url = reverse(name, args=args)
    problems = []
    missing = [p for p in REQUIRED_PEOPLE if p not in expect]
    assert not missing, f"{name}: the table gives no answer for {missing}"
    for who, status in expect.items():
        client = world.client_for(who)
        response = client.post(url, data or {}) if row_method == "post" else client.get(url)
        if response.status_code != status:
            problems.append(f"{name} {url} as {who}: expected {status}, got {response.status_code}")
        signed_in = who != "anonymous"
        problems += [f"{name} {url} as {who}: {p}" for p in header_problems(response, signed_in=signed_in)]
        tally(response, signed_in=signed_in)
        if who == "anonymous" and status == 302:
            assert "/accounts/login/" in response["Location"], f"{name}: anonymous is not sent to sign in"
    return problems


def test_it_lists_every_named_url_in_the_table():
    rows, urls = all_rows(), named_urls()
    assert urls, "walking the URLconf found nothing"
    assert not urls - set(rows), f"URLs missing from the authorization table: {sorted(urls - set(rows))}"
    assert not set(rows) - urls, f"table rows for URLs that no longer exist: {sorted(set(rows) - urls)}"


@pytest.mark.parametrize("name", sorted(all_rows()))
def test_it_answers_each_person_as_the_table_says(world, name):
    row = all_rows()[name]
    data = row.data(world) if row.data else None
    problems = check(world, name, row.url_args(world), row.method, data, row.expect)
    for module in table_modules():
        for extra_name, args, expect in getattr(module, "EXTRA_CHECKS", []):
            if extra_name == name:
                problems += check(world, name, args(world), row.method, data, expect)
    assert not problems, "\n".join(problems)
