from django.core.management.base import BaseCommand, CommandError

from lessons.exporter import dump, write_folder
from lessons.models import Lesson


class Command(BaseCommand):
    help = "Write a stored lesson version back as YAML files."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # `--version N` names a lesson version (the README's `dumplesson cop --version N`), so it
        # must replace Django's own `--version`, which prints the program's.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--version", type=int, help="the version (default: the latest)")
        parser.add_argument("-o", "--output", required=True, help="the folder to write into")

    def handle(self, *args, slug: str, version: int | None, output: str, **options):
        lessons = Lesson.objects.filter(slug=slug)
        lesson = (
            lessons.filter(version=version).first()
            if version
            else lessons.order_by("-version").first()
        )
        if lesson is None:
            known = ", ".join(str(v) for v in lessons.values_list("version", flat=True))
            which = f"version {version} of " if version else ""
            hint = f" (versions: {known})" if known else ""
            raise CommandError(f"there is no {which}lesson {slug!r}{hint}")
        paths = write_folder(dump(lesson), output)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {slug} version {lesson.version} to {output} ({len(paths)} files)"
            )
        )
