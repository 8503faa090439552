from django.core.management.base import BaseCommand, CommandError

from lessons.document import parse, read_folder
from lessons.errors import LessonInvalid
from lessons.objectives import unserved_objectives


class Command(BaseCommand):
    help = "Validate a lesson folder without writing anything. Exit status 0 when valid, 1 if not."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the lesson folder, e.g. content/cop")

    def handle(self, *args, path: str, **options):
        try:
            parsed = parse(read_folder(path))
        except LessonInvalid as invalid:
            for problem in invalid.problems:
                self.stderr.write(f"{path}/{problem}")
            raise CommandError(f"{len(invalid.problems)} problem(s) found in {path}") from None
        # Warnings leave the lesson valid (exit status 0); they say what the report cannot show.
        for warning in unserved_objectives(parsed.lesson, parsed.sections):
            self.stdout.write(self.style.WARNING(f"{path}/{warning} (warning)"))
        slides = sum(len(section["slides"]) for section in parsed.sections)
        activities = sum(len(section.get("activities", [])) for section in parsed.sections)
        self.stdout.write(
            self.style.SUCCESS(
                f"{path}: valid — lesson {parsed.lesson['slug']!r}, "
                f"{len(parsed.sections)} lesson-map rows, {slides} slides, "
                f"{activities} activities"
            )
        )
