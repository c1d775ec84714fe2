"""The Content-Security-Policy, its violation reports and no-store for signed-in people.

Every page of the authorization table is checked for both headers in tests/authorization/; these tests
cover the report endpoint, the admin's one allowance and the cases the table does not reach.
"""

import json
import logging

import pytest
from django.test import Client

from symphony_portal import csp_reports
from tests.authorization.headers import csp_problems, parse_csp

REPORT = {
    "csp-report": {
        "document-uri": "https://portal.example/reports/new/",
        "violated-directive": "script-src-elem",
        "blocked-uri": "inline",
        "source-file": "https://portal.example/reports/new/",
        "line-number": 12,
        "original-policy": "default-src 'self'",
    }
}


@pytest.fixture(autouse=True)
def fresh_budget(monkeypatch):
    budget = csp_reports._MinuteBudget(csp_reports.REPORTS_LOGGED_PER_MINUTE)
    monkeypatch.setattr(csp_reports, "budget", budget)


def post_report(client, body, content_type="application/csp-report"):
    return client.post("/csp-report/", data=body, content_type=content_type)


def test_it_logs_a_violation_report_from_a_browser_without_session_or_csrf_token(db, caplog):
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING, logger="symphony_portal.csp"):
        response = post_report(client, json.dumps(REPORT))
    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.name == "symphony_portal.csp"]
    assert "script-src-elem" in record.getMessage()
    assert "/reports/new/" in record.getMessage()
    assert "original-policy" not in record.getMessage()


def test_it_reads_the_reporting_api_format_too(db, caplog):
    body = json.dumps([{"type": "csp-violation", "body": {"effectiveDirective": "style-src-attr"}}])
    with caplog.at_level(logging.WARNING, logger="symphony_portal.csp"):
        response = post_report(Client(), body, "application/reports+json")
    assert response.status_code == 204
    assert "style-src-attr" in caplog.text


def test_it_logs_each_value_on_one_short_line(db, caplog):
    forged = {"csp-report": {"blocked-uri": "x\nWARNING forged log line " + "A" * 5000}}
    with caplog.at_level(logging.WARNING, logger="symphony_portal.csp"):
        post_report(Client(), json.dumps(forged))
    [record] = [r for r in caplog.records if r.name == "symphony_portal.csp"]
    assert "\n" not in record.getMessage()
    assert len(record.getMessage()) < 500


def test_it_refuses_a_report_too_big_to_be_one(db, caplog, settings):
    body = json.dumps({"csp-report": {"blocked-uri": "x" * settings.CSP_REPORT_MAX_BYTES}})
    with caplog.at_level(logging.WARNING, logger="symphony_portal.csp"):
        response = post_report(Client(), body)
    assert response.status_code == 413
    assert "Content-Security-Policy violation" not in caplog.text


def test_it_ignores_junk_and_refuses_anything_but_post(db, caplog):
    with caplog.at_level(logging.WARNING, logger="symphony_portal.csp"):
        assert post_report(Client(), b"\xff not json").status_code == 204
        assert post_report(Client(), json.dumps({"csp-report": "a string"})).status_code == 204
    assert "Content-Security-Policy violation" not in caplog.text
    assert Client().get("/csp-report/").status_code == 405


def test_it_logs_a_bounded_number_of_reports_a_minute(db, caplog):
    with caplog.at_level(logging.WARNING, logger="symphony_portal.csp"):
        for _ in range(csp_reports.REPORTS_LOGGED_PER_MINUTE + 25):
            assert post_report(Client(), json.dumps(REPORT)).status_code == 204
    logged = [r for r in caplog.records if r.name == "symphony_portal.csp"]
    assert len(logged) == csp_reports.REPORTS_LOGGED_PER_MINUTE


def test_it_sends_the_strict_policy_on_the_sign_in_page(db):
    response = Client().get("/accounts/login/")
    assert csp_problems(response["Content-Security-Policy"]) == []
    assert parse_csp(response["Content-Security-Policy"])["report-uri"] == {"/csp-report/"}


def test_it_allows_the_admin_only_its_one_style_attribute(client, hr):
    client.force_login(hr)
    admin = parse_csp(client.get("/admin/")["Content-Security-Policy"])
    assert admin["script-src"] == {"'self'"}
    assert admin["style-src"] == {"'self'"}
    history_page_style = "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"  # "border-top: 0"
    assert admin["style-src-attr"] == {"'unsafe-hashes'", history_page_style}
    portal = parse_csp(client.get("/")["Content-Security-Policy"])
    assert "style-src-attr" not in portal


def test_it_marks_pages_for_a_signed_in_person_no_store_and_private(client, teacher):
    client.force_login(teacher)
    for url in ("/", "/acknowledgements/", "/admin/", "/no-such-page/"):
        cache = {d.strip() for d in client.get(url)["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= cache, url
