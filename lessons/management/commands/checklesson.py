from lessons.document import parse
from lessons.management.lesson_folder import LessonFolderCommand
from lessons.objectives import unserved_objectives


class Command(LessonFolderCommand):
    help = "Validate a lesson folder without writing anything. Exit status 0 when valid, 1 if not."

    def handle(self, *args, path: str, **options):
        parsed = self.read_lesson(path, parse)
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
