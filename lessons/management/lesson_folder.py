"""What `checklesson` and `loadlesson` share: a lesson folder as their argument, and its
problems written one a line, `<folder>/<file>:<line> <field>: <message>`, before they fail."""

from collections.abc import Callable
from typing import TypeVar

from django.core.management.base import BaseCommand, CommandError

from lessons.document import LessonFiles, read_folder
from lessons.errors import LessonInvalid

T = TypeVar("T")


class LessonFolderCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("path", help="the lesson folder, e.g. content/cop")

    def read_lesson(self, path: str, use: Callable[[LessonFiles], T], consequence: str = "") -> T:
        """`use` on the folder's files; when the lesson is invalid, each problem is written to
        stderr and the command fails, saying how many and `consequence`."""
        try:
            return use(read_folder(path))
        except LessonInvalid as invalid:
            for problem in invalid.problems:
                self.stderr.write(f"{path}/{problem}")
            raise CommandError(
                f"{len(invalid.problems)} problem(s) found in {path}{consequence}"
            ) from None
