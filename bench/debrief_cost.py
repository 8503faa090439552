"""Console render time once the class has sent 1,800 answers of about 900 characters.

    .venv/bin/python bench/debrief_cost.py [--answers 1800] [--renders 5]

It builds a throwaway SQLite database (the CoP lesson, 30 phones in groups of 5, activity 5.3
open: 21 key points), stores the answers through `answer_save` (so each is scored as the app
scores it), then renders the console through Django's test client, as its once-a-second poll
does when answers changed. Figures are CPU-bound and on a shared machine noisy; medians.
"""

import argparse
import statistics
import time

from in_process import ROOT, setup_django  # noqa: E402

setup_django("cop-debrief-")

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from activities.debrief import debrief  # noqa: E402
from activities.models import KeyPointMatch, delivery_create  # noqa: E402
from activities.participation import answer_save, participant_join  # noqa: E402
from copsite.roles import INSTRUCTOR, grant_role  # noqa: E402
from lessons.models import Lesson  # noqa: E402

SENTENCES = [
    "We would set up a neighbourhood watch so residents tell the police about suspicious activity.",
    "Town hall meetings where the community voices its concerns and sets priorities.",
    "Work with schools so police and pupils address the problems of young people together.",
    "Use local radio and newspapers to inform the public about crime prevention.",
    "An anonymous hotline lets citizens give information to the police without fear.",
    "Safe houses for children and vulnerable people who feel threatened.",
    "Train elders and local leaders in mediation so disputes do not turn violent.",
    "Our group also discussed lunch, the weather and how long the session is taking.",
]


def answer_text(number: int) -> str:
    words = []
    index = number
    while len(" ".join(words)) < 900:
        words.append(SENTENCES[index % len(SENTENCES)])
        index += 3
    return " ".join(words)[:900]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1800)
    parser.add_argument("--renders", type=int, default=5)
    options = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("loadlesson", str(ROOT / "content" / "cop"), verbosity=0)
    instructor = get_user_model().objects.create_user("debrief", password="x")
    grant_role(instructor, INSTRUCTOR)
    delivery = delivery_create(
        lesson=Lesson.objects.get(), instructor=instructor, title="Debrief", expected_class_size=30
    )
    people = [participant_join(delivery=delivery, display_name=f"P{n}") for n in range(30)]
    delivery.start()
    delivery.go_to_slide(24)
    delivery.open_activity()

    saves = []
    for number in range(options.answers):
        started = time.perf_counter()
        answer_save(
            participant=people[number % len(people)],
            key=f"point:bench000-{number}",
            text=answer_text(number),
        )
        saves.append(time.perf_counter() - started)

    console = Client()
    console.force_login(instructor)
    url = f"/console/{delivery.pk}/"
    renders, debriefs = [], []
    for _ in range(options.renders):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = console.get(url)
        renders.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        started = time.perf_counter()
        debrief(delivery.slide_run())
        debriefs.append(time.perf_counter() - started)

    print(f"answers stored: {options.answers} of {len(answer_text(0))} characters")
    print(f"stored match rows: {KeyPointMatch.objects.count()}")
    print(f"answer_save, median: {statistics.median(saves) * 1000:.1f} ms (scoring included)")
    print(
        f"console render, median of {options.renders}: {statistics.median(renders) * 1000:.0f} ms"
        f" ({len(queries)} queries, {len(response.content) // 1024} KB)"
    )
    print(f"  of which the debrief: {statistics.median(debriefs) * 1000:.1f} ms")


# Static files unbuilt: the console's links to them need no manifest here.
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if __name__ == "__main__":
    with override_settings(STORAGES=PLAIN_STATIC):
        main()
