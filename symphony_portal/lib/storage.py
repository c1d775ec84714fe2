"""Where private files (evidence, exports) are kept: a Django storage, so the place can change.

`storages["private"]` (settings.STORAGES) is the storage for files that are never served by URL and leave
only through views that check permission. On one host it is a folder, `PRIVATE_MEDIA_ROOT`; on several hosts
(AWS_STORAGE_BUCKET_NAME set) it is one S3-compatible bucket shared by every web host and worker
(symphony_portal/lib/s3_storage.py), so a file saved by one host is read by any other. Code only ever uses
the storage API (save, open, exists, delete, listdir), never a path on disk.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages

PRIVATE = "private"


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT (read at each use, so tests can point it elsewhere).

    There is no URL: a private file is only ever streamed by a view that checked who asks. Files and
    folders are readable by the portal's own system user only.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no address: serve them through a view that checks permission.")


def private_storage() -> Storage:
    """The storage of private files (settings.STORAGES["private"])."""
    return storages["private"]
