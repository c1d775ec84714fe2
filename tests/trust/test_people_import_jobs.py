"""Confirming an import queues a task: one job per import at a time, its progress on the import's page,
a killed or overrunning job marked failed with nothing written, and HR confirming again."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from symphony_portal.mail.models import OutgoingEmail
from symphony_portal.trust import import_jobs, services
from symphony_portal.trust.models import PeopleImport, PeopleImportJob, User
from tests.trust.importing import csv_of

pytestmark = pytest.mark.django_db

NINA = "nina.gordon@symphony.test,Nina Gordon,employee,Harmony Primary School,,Year 3 Teacher"
OMAR = "omar.haddad@symphony.test,Omar Haddad,employee,,,HR Officer"


def import_tasks():
    return DBTaskResult.objects.filter(task_path="symphony_portal.trust.tasks.apply_people_import")


@pytest.fixture
def pending(hr, harmony):
    return services.upload_people_import(csv_of(NINA, OMAR), filename="people.csv", by=hr)


def confirm(client, record, **data):
    return client.post(f"/people/import/{record.pk}/confirm/", data)


def test_it_only_records_the_job_and_queues_its_task_when_hr_confirms(client, hr, pending):
    client.force_login(hr)
    response = confirm(client, pending)
    assert response.status_code == 302 and response["Location"] == f"/people/import/{pending.pk}/"
    job = PeopleImportJob.objects.get()
    assert job.state == PeopleImportJob.State.PENDING and job.requested_by == hr
    task = import_tasks().get()
    assert task.task_result.args == [job.pk] and job.task_id == str(task.id)
    # Nothing is written by the request itself.
    assert not User.objects.filter(email="nina.gordon@symphony.test").exists()
    assert PeopleImport.objects.get(pk=pending.pk).is_pending

    page = client.get(f"/people/import/{pending.pk}/").content.decode()
    assert "The import is being applied." in page
    assert "The import is waiting for the server to apply it" in page
    assert 'id="import-progress" role="status" aria-live="polite"' in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert "Confirm the import" not in page  # no second button while it works
    assert (
        '<td data-label="Status">Being applied</td>' in client.get("/people/import/").content.decode()
    )  # in the uploads


def test_it_applies_the_import_when_a_worker_runs_the_task(hr, pending, settings):
    job, created = import_jobs.request_import(
        pending, deactivate_missing=False, confirmed_deactivate_count=None, by=hr
    )
    assert created
    final = import_jobs.run_import_job(job.pk)  # as the worker's task does
    assert final.state == PeopleImportJob.State.DONE
    assert (final.rows_done, final.rows_total) == (2, 2)
    assert final.message.startswith("Imported: 2 created, 0 updated, 0 deactivated, 0 unchanged.")
    record = PeopleImport.objects.get(pk=pending.pk)
    assert record.status == PeopleImport.Status.IMPORTED and record.created_count == 2
    # The invitations are outbox rows written with the people, one each.
    assert sorted(OutgoingEmail.objects.filter(about="people_invitation").values_list("to", flat=True)) == [
        "nina.gordon@symphony.test",
        "omar.haddad@symphony.test",
    ]
    # Run again (a task delivered twice): nothing more happens.
    assert import_jobs.run_import_job(job.pk).state == PeopleImportJob.State.DONE
    assert User.objects.filter(email="nina.gordon@symphony.test").count() == 1
    assert OutgoingEmail.objects.filter(about="people_invitation").count() == 2


def test_it_shows_the_progress_then_the_outcome_on_the_imports_page(client, hr, pending):
    client.force_login(hr)
    confirm(client, pending)
    job = PeopleImportJob.objects.get()
    PeopleImportJob.objects.filter(pk=job.pk).update(
        state=PeopleImportJob.State.RUNNING, started_at=timezone.now(), rows_done=1, rows_total=2
    )
    response = client.get(f"/people/import/{pending.pk}/")
    page = response.content.decode()
    assert "Applying the import: 1 of 2 rows done" in page
    assert '<progress id="import-progress-bar"' in page and 'max="2" value="1"' in page
    assert "no-store" in response["Cache-Control"]

    PeopleImportJob.objects.filter(pk=job.pk).update(state=PeopleImportJob.State.PENDING)
    import_jobs.run_import_job(job.pk)
    page = client.get(f"/people/import/{pending.pk}/").content.decode()
    assert "The import is done" in page and "Imported: 2 created" in page
    assert "noscript" not in page and "people-import-progress.js" not in page  # no more refreshing
    assert '<dt class="col-7 col-sm-4">Created</dt><dd class="col-5 col-sm-8">2</dd>' in page


def test_it_says_a_second_confirmation_is_already_being_applied(client, hr, pending):
    client.force_login(hr)
    confirm(client, pending)
    page = client.post(f"/people/import/{pending.pk}/confirm/", follow=True).content.decode()
    assert "This file is already being applied" in page and "nothing new was started" in page
    assert PeopleImportJob.objects.count() == 1 and import_tasks().count() == 1

    import_jobs.run_import_job(PeopleImportJob.objects.get().pk)
    page = client.post(f"/people/import/{pending.pk}/confirm/", follow=True).content.decode()
    assert "This file has already been imported." in page
    assert PeopleImportJob.objects.count() == 1 and User.objects.filter(email__startswith="nina").count() == 1


def test_it_keeps_one_unfinished_job_per_import_in_the_database(hr, pending):
    from django.db import IntegrityError, transaction

    now = timezone.now()
    PeopleImportJob.objects.create(people_import=pending, deadline_at=now + timedelta(minutes=5))
    with pytest.raises(IntegrityError), transaction.atomic():
        PeopleImportJob.objects.create(people_import=pending, deadline_at=now + timedelta(minutes=5))


def test_it_fails_a_job_no_worker_started_and_lets_hr_confirm_again(client, hr, pending):
    client.force_login(hr)
    confirm(client, pending)
    stuck = PeopleImportJob.objects.get()
    PeopleImportJob.objects.filter(pk=stuck.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    page = client.get(f"/people/import/{pending.pk}/").content.decode()
    assert "No worker started this import in time" in page and "Confirm the import" in page

    confirm(client, pending)  # HR confirms again
    stuck.refresh_from_db()
    assert stuck.state == PeopleImportJob.State.FAILED and "No worker started" in stuck.message
    again = PeopleImportJob.objects.exclude(pk=stuck.pk).get()
    assert import_jobs.run_import_job(stuck.pk).state == PeopleImportJob.State.FAILED  # a late task: no-op
    assert import_jobs.run_import_job(again.pk).state == PeopleImportJob.State.DONE
    assert User.objects.filter(email="nina.gordon@symphony.test").count() == 1


def test_it_rolls_back_an_import_that_overruns_its_deadline_then_applies_it_once_on_retry(
    client, hr, pending, monkeypatch
):
    client.force_login(hr)
    confirm(client, pending)
    job = PeopleImportJob.objects.get()
    set_roles = services._set_roles

    class Later:
        """The clock of the job's code, an hour on: the deadline has passed."""

        @staticmethod
        def now():
            return timezone.now() + timedelta(hours=1)

        localtime = staticmethod(timezone.localtime)

    def slow_set_roles(*args, **kwargs):
        set_roles(*args, **kwargs)
        # The import has written its people and is about to commit when its deadline passes.
        monkeypatch.setattr(import_jobs, "timezone", Later)

    monkeypatch.setattr(services, "_set_roles", slow_set_roles)
    overrun = import_jobs.run_import_job(job.pk)
    assert overrun.state == PeopleImportJob.State.FAILED
    assert "took longer than its time limit" in overrun.message
    assert not User.objects.filter(email__in=["nina.gordon@symphony.test", "omar.haddad@symphony.test"])
    assert not OutgoingEmail.objects.filter(about="people_invitation").exists()
    assert PeopleImport.objects.get(pk=pending.pk).is_pending
    page = client.get(f"/people/import/{pending.pk}/").content.decode()
    assert "The import could not be applied" in page and "Confirm the import" in page

    monkeypatch.undo()
    confirm(client, pending)
    retry = PeopleImportJob.objects.exclude(pk=job.pk).get()
    assert import_jobs.run_import_job(retry.pk).state == PeopleImportJob.State.DONE
    assert User.objects.filter(email="nina.gordon@symphony.test").count() == 1
    assert OutgoingEmail.objects.filter(about="people_invitation").count() == 2


def test_it_fails_a_running_job_whose_worker_went_silent(hr, pending, monkeypatch):
    job, _ = import_jobs.request_import(
        pending, deactivate_missing=False, confirmed_deactivate_count=None, by=hr
    )
    long_ago = timezone.now() - PeopleImportJob.STALE_AFTER - timedelta(seconds=5)
    PeopleImportJob.objects.filter(pk=job.pk).update(
        state=PeopleImportJob.State.RUNNING, heartbeat_at=long_ago
    )
    monkeypatch.setattr(PeopleImportJob, "heartbeats_recorded", staticmethod(lambda: True))
    job.refresh_from_db()
    assert (
        job.shown_state == PeopleImportJob.State.FAILED and "stopped without finishing" in job.shown_message
    )
    assert import_jobs.fail_stalled_jobs() == [job]
    assert PeopleImportJob.objects.get().state == PeopleImportJob.State.FAILED


def test_it_fails_the_job_with_the_reason_when_the_deactivation_count_is_wrong(
    client, hr, pending, colleague
):
    client.force_login(hr)
    confirm(client, pending, deactivate_missing="on", deactivate_count="7")
    job = import_jobs.run_import_job(PeopleImportJob.objects.get().pk)
    assert job.state == PeopleImportJob.State.FAILED
    assert "you confirmed 7 but this import would deactivate" in job.message
    assert User.objects.get(pk=colleague.pk).is_active
    assert not User.objects.filter(email="nina.gordon@symphony.test").exists()
    page = client.get(f"/people/import/{pending.pk}/").content.decode()
    assert "you confirmed 7" in page and "Confirm the import" in page


def test_it_fails_the_job_when_the_person_who_confirmed_is_no_longer_hr(hr, pending):
    job, _ = import_jobs.request_import(
        pending, deactivate_missing=False, confirmed_deactivate_count=None, by=hr
    )
    hr.role_assignments.all().delete()
    job = import_jobs.run_import_job(job.pk)
    assert job.state == PeopleImportJob.State.FAILED and "only HR can import people" in job.message
    assert not User.objects.filter(email="nina.gordon@symphony.test").exists()


def test_it_refuses_the_confirmation_to_anyone_but_the_hr_person_who_uploaded_it(
    client, pending, teacher, head, exec_head
):
    from tests.builders import make_person

    other_hr = make_person("Hilda Otherhr", roles=["hr"])
    for person in (teacher, head, exec_head, other_hr):
        client.force_login(person)
        assert confirm(client, pending).status_code == 404
        assert client.get(f"/people/import/{pending.pk}/").status_code == 404
    assert not PeopleImportJob.objects.exists() and not import_tasks().exists()


def test_it_applies_a_queued_import_with_a_real_db_worker(transactional_db, hr, harmony, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.PORTAL_MAIL_TASK_BACKEND = "default"
    pending = services.upload_people_import(csv_of(NINA, OMAR), filename="people.csv", by=hr)
    job, _ = import_jobs.request_import(
        pending, deactivate_missing=False, confirmed_deactivate_count=None, by=hr
    )
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*")
    job.refresh_from_db()
    assert job.state == PeopleImportJob.State.DONE, job.message
    assert import_tasks().get().return_value == "done"
    assert User.objects.filter(email="omar.haddad@symphony.test").exists()
