from lessons.loader import load
from lessons.management.lesson_folder import LessonFolderCommand


class Command(LessonFolderCommand):
    help = "Load a lesson folder as a published version: all of it or nothing."

    def handle(self, *args, path: str, **options):
        result = self.read_lesson(path, load, "; nothing was loaded")
        lesson = result.lesson
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(f"Loaded {lesson.slug} version {lesson.version} from {path}")
            )
        else:
            self.stdout.write(
                f"{lesson.slug} version {lesson.version} already has this content; nothing new"
            )
