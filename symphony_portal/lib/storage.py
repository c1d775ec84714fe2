"""Private files: kept outside anything served publicly, leaving only through views that check permission.

``private_storage()`` is the storage the portal's private files go through (Django's storage API), so that
moving them to S3-compatible storage later is a change of the ``"private"`` entry of STORAGES, not of the
code. The default, ``PrivateFileSystemStorage``, keeps them under SYMPHONY_PRIVATE_MEDIA_ROOT.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.functional import cached_property

PRIVATE = "private"


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT (read when first used, and again when the setting changes). No URLs."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private files have no address: serve them through a view that checks permission.")


def private_storage() -> Storage:
    """The storage of private files (STORAGES["private"])."""
    return storages[PRIVATE]
