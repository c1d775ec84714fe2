"""The delivery task: sends what the outbox holds. Enqueued with the rows that need it (see outbox.py)."""

from django_tasks import task

from . import outbox


@task()
def deliver_mail() -> dict:
    """Send every due email in the outbox; returns the counts (kept on the task's result)."""
    run = outbox.deliver_due()
    return {"sent": run.sent, "retrying": run.retrying, "failed": run.failed}
