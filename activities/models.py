"""Live deliveries: one class taught one pinned lesson version.

Every state change of a delivery runs in one transaction that locks the delivery row and bumps
its `revision`, so screens that poll need one indexed read to know whether anything changed.
"""

import secrets
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from activities.pacing import Pacing, RowPlan, Visit, compute_pacing, plan_slides
from activities.timer import Timer, TimerError, TimerState
from lessons.models import Activity, Lesson, Slide

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read off a projector at the back of a room.
JOIN_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 6
# How long a participant's take-away stays reachable after the lesson ends (activities/takeaway.py).
TAKEAWAY_DAYS_DEFAULT = 7
TAKEAWAY_DAYS_MIN = 1
TAKEAWAY_DAYS_MAX = 90


class DeliveryError(ValueError):
    """An action that cannot be done on the delivery as it is; the message says why."""


def takeaway_days_message() -> str:
    return _("Keep the take-away for %(min)s to %(max)s days.") % {
        "min": TAKEAWAY_DAYS_MIN,
        "max": TAKEAWAY_DAYS_MAX,
    }


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(text: str) -> str:
    return "".join(text.split()).upper()


class GroupingMode(models.TextChoices):
    AUTO = "auto", gettext_lazy("The app balances groups of 4–5")
    PICK = "pick", gettext_lazy("Participants pick their group")
    ASSIGN = "assign", gettext_lazy("The instructor assigns groups")


class DeliveryQuerySet(models.QuerySet):
    def for_instructor(self, user) -> "DeliveryQuerySet":
        return self.filter(instructor=user)

    def with_code(self, code: str) -> "DeliveryQuerySet":
        """The delivery a normalised join code names; none for text no join code can be (a
        NUL, which PostgreSQL cannot even compare, or any character outside the alphabet)."""
        if len(code) != JOIN_CODE_LENGTH or not set(code) <= set(JOIN_CODE_ALPHABET):
            return self.none()
        return self.filter(join_code=code)

    def joinable(self) -> "DeliveryQuerySet":
        return self.filter(status__in=[Delivery.Status.PLANNED, Delivery.Status.LIVE])


class EventKind(models.TextChoices):
    """What a `DeliveryEvent` records: one kind per `delivery_action`."""

    STARTED = "started", _("Started")
    ENDED = "ended", _("Ended")
    SLIDE = "slide", _("Slide shown")
    BLANK = "blank", _("Screen blanked")
    GROUP_SPOTLIGHT = "group_spotlight", _("Group spotlighted")
    REVEAL = "reveal", _("Revealed")
    ACTIVITY_OPENED = "activity_opened", _("Activity opened")
    ACTIVITY_CLOSED = "activity_closed", _("Activity closed")
    TIMER = "timer", _("Timer")
    TAKEAWAY = "takeaway", _("Take-away settings changed")


def delivery_action(event_kind: EventKind) -> Callable:
    """Run a state change under the delivery's row lock, bump the revision, log the event."""

    def decorate(method: Callable) -> Callable:
        @wraps(method)
        def wrapper(self: "Delivery", *args, now: datetime | None = None, **kwargs):
            now = now or timezone.now()
            with transaction.atomic():
                locked = Delivery.objects.select_for_update().get(pk=self.pk)
                if locked.status == Delivery.Status.ENDED:
                    raise DeliveryError(_("This delivery has ended; nothing can be changed."))
                detail = method(locked, *args, now=now, **kwargs) or {}
                locked.revision += 1
                locked.save()
                DeliveryEvent.objects.create(
                    delivery=locked,
                    at=now,
                    kind=event_kind,
                    slide_number=locked.current_slide,
                    detail=detail,
                )
            self.refresh_from_db()
            return detail

        return wrapper

    return decorate


class Delivery(models.Model):
    class Status(models.TextChoices):
        # Of a delivery (feminine in French: une séance prévue).
        PLANNED = "planned", pgettext_lazy("delivery status", "Planned")
        LIVE = "live", pgettext_lazy("delivery status", "Live")
        ENDED = "ended", pgettext_lazy("delivery status", "Ended")

    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="deliveries")
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deliveries"
    )
    title = models.CharField(max_length=200)
    date = models.DateField(default=timezone.localdate)
    place = models.CharField(max_length=200, blank=True)
    expected_class_size = models.PositiveIntegerField(default=20)
    join_code = models.CharField(max_length=JOIN_CODE_LENGTH, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    is_rehearsal = models.BooleanField(default=False)
    grouping_mode = models.CharField(
        max_length=10, choices=GroupingMode.choices, default=GroupingMode.AUTO
    )
    language = models.CharField(
        max_length=5,
        choices=settings.LANGUAGES,
        default="en",
        help_text=gettext_lazy("The participants' interface language until they pick another."),
    )
    current_slide = models.PositiveIntegerField()
    projector_blank = models.BooleanField(default=False)
    # The one group the projector's wall shows, large, while the instructor talks it through.
    spotlight_group = models.ForeignKey(
        "Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The slide whose revealable part the projector shows; leaving the slide hides it.
    revealed_slide = models.PositiveIntegerField(null=True, blank=True)
    open_run = models.ForeignKey(
        "ActivityRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    takeaway_enabled = models.BooleanField(
        default=True,
        help_text=gettext_lazy(
            "When the lesson ends, each phone shows a summary the participant can print or save."
        ),
    )
    takeaway_days = models.PositiveSmallIntegerField(
        default=TAKEAWAY_DAYS_DEFAULT,
        validators=[MinValueValidator(TAKEAWAY_DAYS_MIN), MaxValueValidator(TAKEAWAY_DAYS_MAX)],
        help_text=gettext_lazy("Days after the end of the lesson, from 1 to 90."),
    )
    revision = models.PositiveBigIntegerField(default=1)
    answers_revision = models.PositiveBigIntegerField(default=1)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.title} ({self.join_code})"

    # What the screens show.

    @property
    def suggested_group_count(self) -> int:
        """Groups of 4–5: as many groups of 5 as the class fills, at least one."""
        return max(1, -(-self.expected_class_size // 5))

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.LIVE

    @property
    def is_ended(self) -> bool:
        return self.status == self.Status.ENDED

    @property
    def accepts_participants(self) -> bool:
        return self.status != self.Status.ENDED and not self.is_rehearsal

    def slides(self) -> models.QuerySet:
        return self.lesson.slides.select_related("activity", "section")

    def slide(self, number: int | None = None) -> Slide:
        return self.slides().get(number=self.current_slide if number is None else number)

    def neighbour_slide_number(self, step: int) -> int | None:
        numbers = self.slides().order_by("number").values_list("number", flat=True)
        if step > 0:
            return next((n for n in numbers if n > self.current_slide), None)
        return next((n for n in reversed(numbers) if n < self.current_slide), None)

    def slide_run(self) -> "ActivityRun | None":
        """The run of the current slide's activity, open or already closed."""
        return (
            self.runs.filter(activity__slide__number=self.current_slide)
            .select_related("activity")
            .first()
        )

    def pacing(self, now: datetime | None = None) -> Pacing | None:
        if self.started_at is None:
            return None
        now = min(now or timezone.now(), self.ended_at or now or timezone.now())
        rows = [
            RowPlan(s.position, s.first_slide, s.last_slide, s.minutes_presentation)
            for s in self.lesson.sections.all()
        ]
        activity_minutes = dict(
            self.lesson.slides.filter(activity__isnull=False).values_list(
                "number", "activity__minutes"
            )
        )
        visits = [
            Visit(v.slide_number, v.entered_at, v.left_at) for v in self.visits.order_by("id")
        ]
        return compute_pacing(
            plan_slides(rows, activity_minutes, opening_minutes=self.lesson.opening_minutes),
            visits,
            current_slide=self.current_slide,
            started_at=self.started_at,
            now=now,
        )

    def change_takeaway(self, *, enabled: bool, days: int, now: datetime | None = None) -> None:
        """Turn the participants' take-away on or off and set how long it stays. Not a
        `delivery_action`: it is the one setting the instructor may change after the end, when
        the take-away is what phones show. Still one transaction that bumps the revision, so the
        phones' next poll shows or drops the link."""
        now = now or timezone.now()
        if not TAKEAWAY_DAYS_MIN <= days <= TAKEAWAY_DAYS_MAX:
            raise DeliveryError(takeaway_days_message())
        with transaction.atomic():
            locked = Delivery.objects.select_for_update().get(pk=self.pk)
            locked.takeaway_enabled = enabled
            locked.takeaway_days = days
            locked.revision += 1
            locked.save(update_fields=["takeaway_enabled", "takeaway_days", "revision"])
            DeliveryEvent.objects.create(
                delivery=locked,
                at=now,
                kind=EventKind.TAKEAWAY,
                slide_number=locked.current_slide,
                detail={"enabled": enabled, "days": days},
            )
        self.refresh_from_db()

    # Actions. Each is one transaction that bumps the revision.

    @delivery_action(EventKind.STARTED)
    def start(self, *, now: datetime) -> dict:
        if self.status == self.Status.LIVE:
            raise DeliveryError(_("This delivery is already live."))
        self.status = self.Status.LIVE
        self.started_at = now
        SlideVisit.objects.create(delivery=self, slide_number=self.current_slide, entered_at=now)
        return {}

    @delivery_action(EventKind.ENDED)
    def end(self, *, now: datetime) -> dict:
        self.status = self.Status.ENDED
        self.ended_at = now
        self.visits.filter(left_at__isnull=True).update(left_at=now)
        if self.open_run:
            self.open_run.close(now)
            self.open_run = None
        return {}

    @delivery_action(EventKind.SLIDE)
    def go_to_slide(self, number: int, *, now: datetime) -> dict:
        if not self.lesson.slides.filter(number=number).exists():
            raise DeliveryError(_("This lesson has no slide %(number)s.") % {"number": number})
        previous = self.current_slide
        if number == previous:
            return {"from": previous, "to": number}
        self.current_slide = number
        self.spotlight_group = None
        self.revealed_slide = None  # a revealed part is revealed again on each visit
        if self.status == self.Status.LIVE:
            self.visits.filter(left_at__isnull=True).update(left_at=now)
            SlideVisit.objects.create(delivery=self, slide_number=number, entered_at=now)
        return {"from": previous, "to": number}

    def advance(self, *, now: datetime | None = None) -> dict:
        number = self.neighbour_slide_number(+1)
        if number is None:
            raise DeliveryError(_("This is the last slide."))
        return self.go_to_slide(number, now=now)

    def go_back(self, *, now: datetime | None = None) -> dict:
        number = self.neighbour_slide_number(-1)
        if number is None:
            raise DeliveryError(_("This is the first slide."))
        return self.go_to_slide(number, now=now)

    @delivery_action(EventKind.BLANK)
    def toggle_blank(self, *, now: datetime) -> dict:
        self.projector_blank = not self.projector_blank
        return {"blank": self.projector_blank}

    @delivery_action(EventKind.GROUP_SPOTLIGHT)
    def spotlight_group_toggle(self, number: int, *, now: datetime) -> dict:
        """Show only group `number` on the projector's wall, or every group again."""
        group = self.groups.filter(number=number).first()
        if group is None:
            raise DeliveryError(_("This class has no group %(number)s.") % {"number": number})
        self.spotlight_group = None if self.spotlight_group_id == group.pk else group
        return {"group": number if self.spotlight_group else None}

    @property
    def is_revealed(self) -> bool:
        return self.revealed_slide == self.current_slide

    @delivery_action(EventKind.REVEAL)
    def toggle_reveal(self, *, now: datetime) -> dict:
        self.revealed_slide = None if self.is_revealed else self.current_slide
        return {"revealed": self.is_revealed}

    @delivery_action(EventKind.ACTIVITY_OPENED)
    def open_activity(self, *, now: datetime) -> dict:
        activity = self.slide().activity
        if activity is None:
            raise DeliveryError(_("This slide has no activity to open."))
        if self.open_run and self.open_run.activity_id != activity.pk:
            self.open_run.close(now)
        run, _created = ActivityRun.objects.get_or_create(
            delivery=self, activity=activity, defaults={"opened_at": now}
        )
        run.reopen(now)
        self.open_run = run
        return {"activity": activity.code}

    @delivery_action(EventKind.ACTIVITY_CLOSED)
    def close_activity(self, *, now: datetime) -> dict:
        if self.open_run is None:
            raise DeliveryError(_("No activity is open."))
        code = self.open_run.activity.code
        self.open_run.close(now)
        self.open_run = None
        return {"activity": code}

    @delivery_action(EventKind.TIMER)
    def change_timer(self, action: str, *, now: datetime) -> dict:
        if self.open_run is None:
            raise DeliveryError(_("Open the activity before using its timer."))
        run = self.open_run
        timer = run.timer
        try:
            changed = {
                "toggle": lambda: timer.toggle(now),
                "start": lambda: timer.start(now),
                "pause": lambda: timer.pause(now),
                "extend": lambda: timer.extend(now),
                "next_phase": lambda: timer.next_phase(now),
                "reset": lambda: timer.reset(),
            }[action]()
        except KeyError:
            raise DeliveryError(
                _("Unknown timer action %(action)r.") % {"action": action}
            ) from None
        except TimerError as error:
            raise DeliveryError(str(error)) from None
        run.store(changed)
        return {
            "activity": run.activity.code,
            "action": action,
            "phase": changed.phase_index,
            "state": str(changed.state),
        }


def delivery_create(
    *,
    lesson: Lesson,
    instructor,
    title: str,
    date=None,
    place: str = "",
    expected_class_size: int = 20,
    grouping_mode: str = GroupingMode.AUTO,
    language: str = "en",
    is_rehearsal: bool = False,
    takeaway_enabled: bool = True,
    takeaway_days: int = TAKEAWAY_DAYS_DEFAULT,
) -> Delivery:
    """A planned delivery pinned to `lesson`, with a fresh join code, on its first slide."""
    first = lesson.slides.order_by("number").values_list("number", flat=True).first()
    if first is None:
        raise DeliveryError(_("This lesson has no slides."))
    for _attempt in range(10):
        delivery = Delivery(
            lesson=lesson,
            instructor=instructor,
            title=title,
            date=date or timezone.localdate(),
            place=place,
            expected_class_size=expected_class_size,
            grouping_mode=grouping_mode,
            language=language,
            is_rehearsal=is_rehearsal,
            takeaway_enabled=takeaway_enabled,
            takeaway_days=takeaway_days,
            current_slide=first,
            join_code=new_join_code(),
        )
        delivery.full_clean()
        try:
            with transaction.atomic():
                delivery.save()
            return delivery
        except IntegrityError:
            continue
    raise DeliveryError(_("Could not find a free join code; try again."))


class SlideVisit(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="visits")
    slide_number = models.PositiveIntegerField()
    entered_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entered_at", "id"]

    def __str__(self) -> str:
        return f"slide {self.slide_number} from {self.entered_at:%H:%M:%S}"


class ActivityRun(models.Model):
    """An activity opened during a delivery, with its server-side timer."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="runs")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="runs")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    phase_index = models.PositiveSmallIntegerField(default=0)
    timer_state = models.CharField(max_length=10, default=TimerState.READY)
    ends_at = models.DateTimeField(null=True, blank=True)
    remaining_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["delivery", "activity"], name="one_run_per_activity")
        ]

    def __str__(self) -> str:
        return f"{self.activity} in {self.delivery}"

    def phase_minutes(self) -> tuple[int, ...]:
        return tuple(phase.minutes for phase in self.activity.phases.all())

    @property
    def timer(self) -> Timer:
        return Timer(
            phase_minutes=self.phase_minutes(),
            phase_index=self.phase_index,
            state=TimerState(self.timer_state),
            ends_at=self.ends_at,
            remaining_seconds=self.remaining_seconds,
        )

    def store(self, timer: Timer) -> None:
        self.phase_index = timer.phase_index
        self.timer_state = timer.state
        self.ends_at = timer.ends_at
        self.remaining_seconds = timer.remaining_seconds
        self.save()

    def reopen(self, now: datetime) -> None:
        if self.closed_at is not None or self.remaining_seconds == 0 and self.ends_at is None:
            self.closed_at = None
            self.store(Timer.fresh(self.phase_minutes()))

    def close(self, now: datetime) -> None:
        self.closed_at = now
        self.save(update_fields=["closed_at"])

    @property
    def phase(self):
        return self.activity.phases.all()[self.phase_index]


class DeliveryEvent(models.Model):
    """What happened, when: the raw material of pacing and of the after-action report."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    slide_number = models.PositiveIntegerField(null=True)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%H:%M:%S}"


class Group(models.Model):
    """A group of 4–5 participants: the unit that answers."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="groups")
    number = models.PositiveSmallIntegerField()
    revision = models.PositiveBigIntegerField(default=1)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="group_number_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _("Group %(number)s") % {"number": self.number}

    def assignment_for(self, activity: Activity) -> dict | None:
        """The part of the task this group takes (e.g. WHAT? of WHAT/WHO/HOW), round-robin."""
        assignments = activity.grouping.get("assignments") or []
        if not assignments:
            return None
        return assignments[(self.number - 1) % len(assignments)]


class Participant(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="participants")
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    display_name = models.CharField(max_length=40)
    token = models.CharField(max_length=43, unique=True)
    joined_at = models.DateTimeField(auto_now_add=True)
    removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["joined_at", "id"]

    def __str__(self) -> str:
        return self.display_name


class Submission(models.Model):
    """One piece of a group's answer: a point of a list, a table cell, a named field or a text.

    `key` says which: `point:<id>` for a list point (the id is the phone's idempotency key, so
    a resent point is stored once), `cell:<row>:<column>`, `field:<key>` or `text`.
    """

    run = models.ForeignKey(ActivityRun, on_delete=models.CASCADE, related_name="submissions")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="submissions")
    author = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    key = models.CharField(max_length=80)
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()
    version = models.PositiveIntegerField(default=1)
    hidden = models.BooleanField(default=False)
    spotlighted = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["group__number", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "group", "key"], name="one_answer_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.key}: {self.text[:40]}"


class KeyPointCoverage(models.Model):
    """Whether the class reached a key point by itself or the instructor reinforced it."""

    class Status(models.TextChoices):
        COVERED = "covered", gettext_lazy("Found by the groups")
        REINFORCED = "reinforced", gettext_lazy("Reinforced by the instructor")

    run = models.ForeignKey(ActivityRun, on_delete=models.CASCADE, related_name="coverage")
    key_point = models.ForeignKey("lessons.KeyPoint", on_delete=models.PROTECT)
    status = models.CharField(max_length=12, choices=Status.choices)
    suggested_score = models.PositiveSmallIntegerField(default=0)
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "key_point"], name="one_coverage_per_point")
        ]

    def __str__(self) -> str:
        return f"{self.key_point} {self.status}"


class KeyPointMatch(models.Model):
    """How surely one answer makes one key point, scored once when the answer is stored: the
    console adds up these rows instead of matching every answer on every render. Only scores
    from `STORED_FROM` are kept; a weaker one says nothing the instructor sees."""

    STORED_FROM = 40

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="matches")
    # The submission's run again, so that a point's best answer in a run is one index read.
    run = models.ForeignKey(ActivityRun, on_delete=models.CASCADE, related_name="matches")
    key_point = models.ForeignKey("lessons.KeyPoint", on_delete=models.CASCADE)
    score = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "key_point"], name="one_match_per_point")
        ]
        indexes = [
            models.Index(fields=["run", "key_point", "-score"], name="best_answer_per_point")
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} ~ {self.key_point_id}: {self.score}"


class RateCounter(models.Model):
    """Requests counted per key in its current window, in the database so every app process
    shares it. One row per key: a request in a new window starts the count again."""

    key = models.CharField(max_length=120, unique=True)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}@{self.window}: {self.count}"
