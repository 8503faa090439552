import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from activities.models import DeliveryError, delivery_create
from activities.participation import join_path
from copsite.roles import INSTRUCTOR, has_role
from lessons.models import Lesson


class Command(BaseCommand):
    help = "Plan a delivery of the latest published version of a lesson; print its join code."

    def add_arguments(self, parser):
        parser.add_argument("--lesson", required=True, help="the lesson's slug, e.g. cop")
        parser.add_argument("--instructor", required=True, help="the instructor's user name")
        parser.add_argument("--title", default="", help="the class, e.g. 'UNPOL induction 12'")
        parser.add_argument("--place", default="")
        parser.add_argument("--class-size", type=int, default=20)
        parser.add_argument("--rehearsal", action="store_true")
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="where the app is served"
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="print one JSON object (delivery, join_code, join_url, console_url) for scripts",
        )

    def handle(self, *args, **options):
        lesson = Lesson.objects.latest_published(options["lesson"])
        if lesson is None:
            raise CommandError(f"there is no published lesson {options['lesson']!r}")
        user = get_user_model().objects.filter(username=options["instructor"]).first()
        if user is None or not has_role(user, INSTRUCTOR):
            raise CommandError(f"{options['instructor']!r} is not an instructor")
        if options["class_size"] < 1:
            raise CommandError("--class-size must be at least 1")
        try:
            delivery = delivery_create(
                lesson=lesson,
                instructor=user,
                title=options["title"] or f"{lesson.title} class",
                place=options["place"],
                expected_class_size=options["class_size"],
                is_rehearsal=options["rehearsal"],
            )
        except DeliveryError as error:
            raise CommandError(str(error)) from None
        base = options["base_url"].rstrip("/")
        console = base + reverse("activities:console", args=[delivery.pk])
        if options["json"]:
            planned = {
                "delivery": delivery.pk,
                "join_code": delivery.join_code,
                "join_url": base + join_path(delivery.join_code),
                "console_url": console,
                "lesson_version": lesson.version,
            }
            self.stdout.write(json.dumps(planned))
            return
        self.stdout.write(f"Delivery {delivery.pk}: {delivery.title} (lesson v{lesson.version})")
        self.stdout.write(f"  join code: {delivery.join_code}")
        self.stdout.write(f"  participants join at: {base}{join_path(delivery.join_code)}")
        self.stdout.write(f"  console: {console}")
