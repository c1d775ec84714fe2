import pytest


@pytest.fixture
def immediate_tasks(settings):
    """Run queued tasks (the reset email) at once, in the request, as a worker would later."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
