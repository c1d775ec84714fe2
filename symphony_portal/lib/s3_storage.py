"""The private storage on several hosts: one S3-compatible bucket, through django-storages.

A module of its own so that boto3 is imported only when a bucket is configured (settings.STORAGES).
"""

from botocore.config import Config
from django.conf import settings
from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """Private files (evidence, sign-off packs) in an S3-compatible bucket.

    Objects are written with a private ACL and never overwritten (settings.STORAGES["private"]). There is
    no URL, signed or not: files leave only through the views that check permission, which stream them.
    Every call to the service gives up after STORAGE_TIMEOUT_SECONDS (and is tried once more), so a
    storage that does not answer fails the request instead of holding a worker.
    """

    def __init__(self, **options):
        timeout = settings.STORAGE_TIMEOUT_SECONDS
        options.setdefault(
            "client_config",
            Config(
                s3={"addressing_style": options.pop("addressing_style", None)},
                connect_timeout=timeout,
                read_timeout=timeout,
                retries={"max_attempts": 2, "mode": "standard"},
            ),
        )
        super().__init__(**options)

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Private files have no address: serve them through a view that checks permission.")
