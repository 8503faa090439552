"""Request bodies: a body larger than any page sends is refused before anything reads it, and an
uploaded file is held in memory only, never written to the temporary folder."""

import io
import tempfile
import zipfile

import pytest
from django.core.files import uploadedfile
from django.test import Client
from django.urls import reverse

from lessons.models import Lesson

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
BOUNDARY = "junkjunkjunk"


class StreamedMultipart(io.RawIOBase):
    """A multipart body of one file `size` bytes long, made as it is read, counting what was."""

    def __init__(self, size: int) -> None:
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="big.zip"\r\nContent-Type: application/zip\r\n\r\n'
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(self.head) + size + len(self.tail)
        self.position = 0

    def byte_at(self, index: int) -> bytes:
        if index < len(self.head):
            return self.head[index : index + 1]
        if index >= self.length - len(self.tail):
            offset = index - (self.length - len(self.tail))
            return self.tail[offset : offset + 1]
        return b"x"

    def read(self, size: int = -1) -> bytes:
        end = self.length if size is None or size < 0 else min(self.length, self.position + size)
        start, self.position = self.position, end
        middle_start, middle_end = len(self.head), self.length - len(self.tail)
        if middle_start <= start and end <= middle_end:
            return b"x" * (end - start)
        return b"".join(self.byte_at(i) for i in range(start, end))

    def readline(self, size: int = -1) -> bytes:
        line = b""
        while not line.endswith(b"\n") and self.position < self.length:
            if 0 <= size <= len(line):
                break
            line += self.read(1)
        return line


@pytest.fixture
def temp_folder(tmp_path, settings, monkeypatch):
    """The temporary folder, empty, and a record of every uploaded file put there."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    written: list[str] = []
    original = uploadedfile.TemporaryUploadedFile.__init__

    def recording_init(self, name, *args, **kwargs):
        written.append(name)
        original(self, name, *args, **kwargs)

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", recording_init)
    yield tmp_path, written


def post_streamed(client: Client, path: str, size: int):
    body = StreamedMultipart(size)
    response = client.generic(
        "POST",
        path,
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.length),
        **{"wsgi.input": body},
    )
    return response, body


@pytest.mark.parametrize(
    "url",
    [
        reverse("content:upload"),
        reverse("login"),
        reverse("participants:join_page"),
        "/p/ABC123/answer/save/",
    ],
)
def test_an_anonymous_twenty_megabyte_body_is_refused_unread(url, temp_folder):
    folder, written = temp_folder
    client = Client(enforce_csrf_checks=True)
    response, body = post_streamed(client, url, 20 * MB)
    assert response.status_code == 413
    assert "this server takes at most" in response.content.decode()
    assert body.position == 0, "nothing of the body is read"
    assert written == [] and list(folder.iterdir()) == []


def test_a_file_past_the_memory_limit_stops_as_it_streams_in(
    coordinator_client, settings, temp_folder
):
    folder, written = temp_folder
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1 * MB  # the body limit is now 3 MB
    response, body = post_streamed(coordinator_client, reverse("content:upload"), 2 * MB)
    assert response.status_code == 413
    assert "larger than this server takes" in response.content.decode()
    assert body.position < body.length, "the upload stopped before its end"
    assert written == [] and list(folder.iterdir()) == []
    assert not Lesson.objects.exists()


def test_an_upload_larger_than_django_keeps_in_memory_stays_in_memory(
    coordinator_client, temp_folder
):
    """Django's default writes a file over 2.5 MB to the temporary folder; this one is 5.5 MB."""
    folder, written = temp_folder
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("lesson/lesson.yaml", "x" * int(5.5 * MB))
    upload = uploadedfile.SimpleUploadedFile("lesson.zip", buffer.getvalue())
    response = coordinator_client.post(reverse("content:upload"), {"files": upload})
    assert response.status_code == 400
    assert "the limit is 5,242,880 bytes" in response.content.decode()
    assert written == [] and list(folder.iterdir()) == []
    assert not Lesson.objects.exists()


def test_the_refusal_is_in_french(temp_folder):
    response, _ = post_streamed(
        Client(HTTP_ACCEPT_LANGUAGE="fr"), reverse("participants:join_page"), 20 * MB
    )
    assert response.status_code == 413
    assert "ce serveur accepte au plus" in response.content.decode()
