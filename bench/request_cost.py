"""CPU time of each request of a phone, the console and the projector, measured in-process.

    .venv/bin/python bench/request_cost.py                  # a table of medians
    .venv/bin/python bench/request_cost.py --profile changed-poll-form   # pyinstrument tree

It builds a throwaway SQLite database (the CoP lesson, a delivery of 30 phones in groups of 5,
more when --repeat needs room for its answers, activity 5.1 open with 10 points per group) and
calls Django's WSGI handler directly through the test client, so the figures are what Django and
this app cost, not the server or the network.
"""

import argparse
import math
import statistics
import time
import uuid

from in_process import ROOT, setup_django  # noqa: E402

setup_django("cop-cost-")

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402

from activities.fast_path.caches import STAGE_CACHE  # noqa: E402
from activities.models import Delivery, Group, Participant, delivery_create  # noqa: E402
from activities.participant_views import cookie_name  # noqa: E402
from activities.participation import MAX_POINTS_PER_GROUP, answer_save  # noqa: E402
from copsite.roles import INSTRUCTOR, grant_role  # noqa: E402
from lessons.models import Lesson  # noqa: E402

HTMX = {"HTTP_HX_REQUEST": "true"}


def phones_for(answers: int) -> int:
    """30 phones in groups of 5, or more: each group has room for MAX_POINTS_PER_GROUP points,
    and every measured answer must be stored, not refused at the cap."""
    room_per_group = MAX_POINTS_PER_GROUP - 2 * 5  # build() stores 2 points per phone
    return 5 * max(6, math.ceil(answers / room_per_group))


def build(phone_count: int) -> tuple[Delivery, list[Client], Client]:
    call_command("migrate", verbosity=0)
    call_command("loadlesson", str(ROOT / "content" / "cop"), verbosity=0)
    instructor = get_user_model().objects.create_user("cost", password="x")
    grant_role(instructor, INSTRUCTOR)
    console = Client()
    console.force_login(instructor)
    lesson = Lesson.objects.get()
    delivery = delivery_create(
        lesson=lesson, instructor=instructor, title="Cost", expected_class_size=phone_count
    )
    phones = []
    for number in range(phone_count):
        phone = Client()
        phone.post(f"/j/{delivery.join_code}/", {"name": f"Phone {number}"})
        phones.append(phone)
    delivery.start()
    delivery.go_to_slide(12)
    delivery.open_activity()
    for participant in delivery.participants.select_related("group"):
        for number in range(2):
            answer_save(
                participant=participant, key=f"point:{uuid.uuid4()}", text=f"Point {number}"
            )
    return delivery, phones, console


def stage_url(delivery: Delivery) -> str:
    return f"/p/{delivery.join_code}/"


def requests(delivery: Delivery, phones: list[Client], console: Client) -> dict:
    """name -> a function making that request once (with a fresh state where it matters)."""
    phone = phones[0]
    url = stage_url(delivery)
    revision = ["0.0"]
    group_id = Participant.objects.get(
        token=phone.cookies[cookie_name(delivery.join_code)].value
    ).group_id
    counter = iter(range(10**9))

    def changed_poll():
        return phone.get(url, {"rev": "0.0"}, **HTMX)

    def changed_poll_first_of_group():
        caches[STAGE_CACHE].clear()
        return phone.get(url, {"rev": "0.0"}, **HTMX)

    def changed_poll_after_answer():
        # What most renders are in a burst: the group's revision moved, its points were seen.
        Group.objects.filter(pk=group_id).update(revision=F("revision") + 1)
        return phone.get(url, {"rev": "0.0"}, **HTMX)

    def unchanged_poll():
        response = phone.get(url, {"rev": revision[0]}, **HTMX)
        if response.status_code == 200:  # an answer changed the group: poll the new revision
            revision[0] = response.content.decode().split("?rev=", 1)[1].split('"', 1)[0]
        return response

    def answer():
        number = next(counter)
        response = phones[number % len(phones)].post(
            f"/p/{delivery.join_code}/answer/save/",
            data=f'{{"key": "point:{uuid.uuid4()}", "text": "Point {number}"}}',
            content_type="application/json",
        )
        if response.status_code != 200:  # a refusal costs less: its figure would flatter us
            raise SystemExit(f"answer {number} refused: {response.status_code} {response.content}")
        return response

    def screen(url: str):
        return lambda: console.get(url, {"rev": "0"}, **HTMX)

    return {
        "bare": lambda: phone.get("/bench/bare"),
        "unchanged-poll": unchanged_poll,
        "changed-poll-form": changed_poll,
        "changed-poll-form-first": changed_poll_first_of_group,
        "changed-poll-form-after-answer": changed_poll_after_answer,
        "answer": answer,
        # The console and the projector render the whole wall again after every answer.
        "console-after-answer": Timed(screen(f"/console/{delivery.pk}/"), before=answer),
        "projector-after-answer": Timed(
            screen(f"/console/{delivery.pk}/projector/"), before=answer
        ),
    }


class Timed:
    """A request measured after an untimed step that sets its scene (e.g. a new answer)."""

    def __init__(self, call, *, before):
        self.call, self.before = call, before

    def __call__(self):
        self.before()
        return self.call()


def cpu_ms(call, repeat: int) -> float:
    before, timed = (call.before, call.call) if isinstance(call, Timed) else (lambda: None, call)
    samples = []
    for _ in range(repeat):
        before()
        started = time.process_time()
        timed()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--profile", help="print a pyinstrument profile of this request")
    parser.add_argument("--show-all", action="store_true", help="the profile's every frame")
    args = parser.parse_args()
    # Each of answer, console-after-answer and projector-after-answer stores --repeat answers.
    delivery, phones, console = build(phones_for(3 * (args.repeat + 5)))
    calls = requests(delivery, phones, console)
    for call in calls.values():  # warm caches and connections
        for _ in range(5):
            call()
    if args.profile:
        from pyinstrument import Profiler

        with Profiler(interval=0.0002) as profiler:
            for _ in range(args.repeat):
                calls[args.profile]()
        print(profiler.output_text(unicode=True, color=False, show_all=args.show_all))
        return
    print(f"{'request':<28} median CPU ms ({args.repeat} runs)")
    for name, call in calls.items():
        print(f"{name:<28} {cpu_ms(call, args.repeat):8.2f}")


if __name__ == "__main__":
    main()
