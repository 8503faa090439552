"""Lesson files through the browser: a zip to download, and uploads (files or a zip) read with
limits, in memory only, so an upload can never write a file or exhaust the server.

Problems are `LessonProblem`s like those of `parse()`, so the page shows them the same way.
"""

import io
import stat
import zipfile
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from lessons.checks import LESSON_FILE
from lessons.document import LessonFiles, lesson_map_files
from lessons.errors import LessonInvalid, LessonProblem, grouped

YAML_SUFFIXES = (".yaml", ".yml")
# A fixed time stamp: the same files always give the same zip, byte for byte.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ZIP_MEMBERS = 200
MAX_YAML_BYTES_IN_ZIP = 8 * 1024 * 1024
UPLOAD = "upload"


def zip_lesson(files: dict[str, str], folder: str) -> bytes:
    """The files `dumplesson` writes, under `folder/`, as a reproducible zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, files[name].encode())
    return buffer.getvalue()


def read_uploads(uploads: list[UploadedFile]) -> tuple[LessonFiles, list[str]]:
    """The lesson files in `uploads` (.yaml/.yml files, or zips of them) and the names of the
    other files a zip held, which are left out. Raises `LessonInvalid` on any problem."""
    problems: list[LessonProblem] = []
    if not uploads:
        raise LessonInvalid(
            [
                LessonProblem(
                    UPLOAD, 0, "", gettext("choose the .yaml files of a lesson or a .zip of them")
                )
            ]
        )
    total = sum(upload.size or 0 for upload in uploads)
    if total > MAX_UPLOAD_BYTES:
        raise LessonInvalid([LessonProblem(UPLOAD, 0, "", too_large(total, MAX_UPLOAD_BYTES))])
    files: LessonFiles = {}
    ignored: list[str] = []
    for upload in uploads:
        name = upload.name or UPLOAD
        if name.lower().endswith(".zip"):
            found = read_zip(upload, problems, ignored)
        elif name.lower().endswith(YAML_SUFFIXES):
            found = {name: read_limited(upload, name, problems)}
        else:
            problems.append(
                LessonProblem(name, 0, "", gettext("is not a .yaml, .yml or .zip file"))
            )
            continue
        for path, data in found.items():
            if path in files:
                problems.append(LessonProblem(path, 0, "", gettext("was uploaded twice")))
            elif data is not None:
                files[path] = data
    if problems:
        raise LessonInvalid(problems)
    return place_loose_files(files), ignored


def too_large(size: int, limit: int) -> str:
    return gettext("is %(size)s bytes; the limit is %(limit)s bytes") % {
        "size": grouped(size),
        "limit": grouped(limit),
    }


def read_limited(upload, name: str, problems: list[LessonProblem]) -> bytes | None:
    limit = settings.LESSON_FILE_MAX_BYTES
    data = upload.read(limit + 1)
    if len(data) > limit:
        problems.append(
            LessonProblem(
                name,
                0,
                "",
                gettext("is larger than the limit of %(limit)s bytes") % {"limit": grouped(limit)},
            )
        )
        return None
    return data


def unsafe_path_reason(name: str, info: zipfile.ZipInfo) -> str | None:
    path = PurePosixPath(name)
    if name.startswith("/") or "\\" in name or (path.parts and ":" in path.parts[0]):
        return gettext("has an absolute path; a lesson's files are relative to its folder")
    if ".." in path.parts:
        return gettext("has '..' in its path, which could point outside the lesson folder")
    if stat.S_ISLNK(info.external_attr >> 16):
        return gettext("is a symbolic link")
    if info.flag_bits & 0x1:
        return gettext("is encrypted")
    return None


def read_zip(upload, problems: list[LessonProblem], ignored: list[str]) -> dict[str, bytes | None]:
    name = upload.name
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError):
        problems.append(LessonProblem(name, 0, "", gettext("is not a readable zip file")))
        return {}
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > MAX_ZIP_MEMBERS:
        problems.append(
            LessonProblem(
                name,
                0,
                "",
                gettext("holds %(count)s files; the limit is %(limit)s")
                % {"count": len(members), "limit": MAX_ZIP_MEMBERS},
            )
        )
        return {}
    found: dict[str, bytes | None] = {}
    budget = MAX_YAML_BYTES_IN_ZIP
    limit = settings.LESSON_FILE_MAX_BYTES
    for info in members:
        member = info.filename
        reason = unsafe_path_reason(member, info)
        if reason:
            problems.append(LessonProblem(f"{name}: {member}", 0, "", reason))
            continue
        parts = PurePosixPath(member).parts
        if any(part.startswith(".") or part == "__MACOSX" for part in parts) or not (
            member.lower().endswith(YAML_SUFFIXES)
        ):
            ignored.append(member)
            continue
        if info.file_size > limit:
            problems.append(LessonProblem(member, 0, "", too_large(info.file_size, limit)))
            continue
        try:
            with archive.open(info) as stream:
                # Never trust the size the zip declares: read at most one byte past the limit.
                data = stream.read(min(limit, budget) + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
            problems.append(
                LessonProblem(
                    member,
                    0,
                    "",
                    gettext("cannot be read from the zip: %(error)s") % {"error": error},
                )
            )
            continue
        if len(data) > min(limit, budget):
            problems.append(
                LessonProblem(
                    member, 0, "", gettext("unpacks to more than the limit of the upload")
                )
            )
            continue
        budget -= len(data)
        found[member] = data
    return strip_common_folder(found)


def strip_common_folder(found: dict[str, bytes | None]) -> dict[str, bytes | None]:
    """`cop/lesson.yaml`, `cop/sections/…` -> `lesson.yaml`, `sections/…`: a zip of a folder."""
    if LESSON_FILE in found:
        return found
    tops = {PurePosixPath(name).parts[0] for name in found}
    if len(tops) == 1 and all(len(PurePosixPath(name).parts) > 1 for name in found):
        top = tops.pop()
        return {name.removeprefix(f"{top}/"): data for name, data in found.items()}
    return found


def place_loose_files(files: LessonFiles) -> LessonFiles:
    """Browsers send a file's name without its folder: put `01-intro.yaml` where the lesson
    map names it (`sections/01-intro.yaml`). Files it does not name keep their names, and
    `parse()` reports them."""
    named = lesson_map_files(files.get(LESSON_FILE, b""))
    placed = dict(files)
    for path in named:
        base = PurePosixPath(path).name
        if path not in placed and base in placed and "/" not in base:
            placed[path] = placed.pop(base)
    return placed
