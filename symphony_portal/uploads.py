"""How many uploaded files one request may store, and what happens to the rest.

Django refuses a whole request with more than DATA_UPLOAD_MAX_NUMBER_FILES files (a bare 400 that loses
everything typed). No form of the portal takes more than a handful (a report takes 5, the people import
1), so this handler, first among FILE_UPLOAD_HANDLERS, lets Django store only the first
UPLOAD_MAX_STORED_FILES files of a request. Each file after that is read and thrown away, leaving an
empty DroppedUpload in its place: the form still sees how many were chosen and answers "You chose 120
files; up to 5 can be attached" with everything typed kept. DATA_UPLOAD_MAX_NUMBER_FILES stays as the
outer bound (the portal's own 400 page, symphony_portal/errors.py).
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers


class DroppedUpload(UploadedFile):
    """A file beyond the request's limit: its name only; its content was never kept."""

    def __init__(self, name: str, field_name: str):
        super().__init__(io.BytesIO(b""), name=name, content_type="application/octet-stream", size=0)
        self.field_name = field_name


class BoundedFileCountHandler(FileUploadHandler):
    """Stores nothing itself; past UPLOAD_MAX_STORED_FILES files, it swallows each file's data."""

    def __init__(self, request=None):
        super().__init__(request)
        self.files_seen = 0
        self.dropping = False

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.files_seen += 1
        self.dropping = self.files_seen > settings.UPLOAD_MAX_STORED_FILES
        if self.dropping:
            raise StopFutureHandlers()  # the memory and disk handlers never start this file

    def receive_data_chunk(self, raw_data, start):
        return None if self.dropping else raw_data  # None: later handlers do not get the chunk

    def file_complete(self, file_size):
        if not self.dropping:
            return None  # the next handler returns the stored file
        self.dropping = False
        return DroppedUpload(self.file_name, self.field_name)


class OversizedUpload(UploadedFile):
    """A file that went past its view's size cap: its name and how many bytes came; nothing was kept."""

    def __init__(self, name: str, field_name: str, size: int):
        super().__init__(io.BytesIO(b""), name=name, content_type="application/octet-stream", size=size)
        self.field_name = field_name


class FileSizeCapHandler(FileUploadHandler):
    """For one view: past ``max_bytes`` a file's data is swallowed (not kept in memory or on disk), and the
    view gets an OversizedUpload whose size says how much came, to refuse with a message.

    Django has no per-file size cap; without this a 50 MB upload would be written whole to a temporary
    file before the view could refuse it. A view inserts it after the count handler, before CSRF reads
    the body (csrf_exempt outside, csrf_protect inside, as Django's documentation shows).
    """

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        return raw_data if self.received <= self.max_bytes else None

    def file_complete(self, file_size):
        if self.received <= self.max_bytes:
            return None  # the next handler returns the stored file
        return OversizedUpload(self.file_name, self.field_name, self.received)
