"""Reports tests keep their evidence files in a folder of their own."""

import pytest


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Evidence goes to a folder of this test, never to var/; passwords hash fast (tests only)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.PRIVATE_MEDIA_ROOT
