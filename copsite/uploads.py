"""Uploaded files are held in memory only (lessons/archive.py reads them there).

Django's memory handler hands a file bigger than FILE_UPLOAD_MAX_MEMORY_SIZE on to the
temporary-file handler, which writes it to disk. This one is the only handler and never hands
anything on: a file past the limit stops the upload (RequestDataTooBig, a 413 from
copsite.middleware) as it streams in, whatever the request's Content-Length said.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import MemoryFileUploadHandler


class MemoryOnlyUploadHandler(MemoryFileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = True

    def new_file(self, *args, **kwargs) -> None:
        self.received = 0
        super().new_file(*args, **kwargs)  # raises StopFutureHandlers

    def receive_data_chunk(self, raw_data: bytes, start: int):
        self.received += len(raw_data)
        if self.received > settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
            raise RequestDataTooBig("An uploaded file is larger than FILE_UPLOAD_MAX_MEMORY_SIZE.")
        return super().receive_data_chunk(raw_data, start)
