from django.core.management.base import BaseCommand, CommandError

from lessons.document import read_folder
from lessons.errors import LessonInvalid
from lessons.loader import load


class Command(BaseCommand):
    help = "Load a lesson folder as a published version: all of it or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the lesson folder, e.g. content/cop")

    def handle(self, *args, path: str, **options):
        try:
            result = load(read_folder(path))
        except LessonInvalid as invalid:
            for problem in invalid.problems:
                self.stderr.write(f"{path}/{problem}")
            raise CommandError(
                f"{len(invalid.problems)} problem(s) found in {path}; nothing was loaded"
            ) from None
        lesson = result.lesson
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(f"Loaded {lesson.slug} version {lesson.version} from {path}")
            )
        else:
            self.stdout.write(
                f"{lesson.slug} version {lesson.version} already has this content; nothing new"
            )
