"""Lesson content: one immutable tree of rows per lesson version.

Markdown fields keep the text as written (for editing and dumping) and its sanitised HTML,
rendered once at load (`*_html`).
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from lessons.forms import FormKind, form_kind
from lessons.minutes import OPENING_POSITION, opening_minutes


class Audience(models.TextChoices):
    """Who reads a text of the lesson: the room (projector and phones), the room once the
    instructor reveals it, or the instructor alone (the console)."""

    ROOM = "room", _("Projector and phones")
    ON_REVEAL = "reveal", _("Projector, once revealed")
    CONSOLE = "console", _("Console only")


# The audience of every text field of a slide and of an activity, by its YAML key: the one
# place that decides which screen shows what (FORMAT.md's "audience" column).
SLIDE_AUDIENCE = {
    "title": Audience.ROOM,
    "key_message": Audience.ROOM,
    "body": Audience.ROOM,
    "reveal": Audience.ON_REVEAL,
    "notes": Audience.CONSOLE,
    "instructor_notes": Audience.CONSOLE,
    "transition": Audience.CONSOLE,
    "questions": Audience.CONSOLE,
}
ACTIVITY_AUDIENCE = {
    "title": Audience.ROOM,
    "purpose": Audience.ROOM,
    "task": Audience.ROOM,
    "grouping": Audience.ROOM,
    "response_form": Audience.ROOM,
    "instructions": Audience.CONSOLE,
    "resources": Audience.CONSOLE,
    "instructor_notes": Audience.CONSOLE,
    "key_points": Audience.CONSOLE,
}


class LessonQuerySet(models.QuerySet):
    def published(self) -> "LessonQuerySet":
        return self.filter(status=Lesson.Status.PUBLISHED)

    def latest_published(self, slug: str) -> "Lesson | None":
        return self.published().filter(slug=slug).order_by("-version").first()

    def for_content_index(self) -> "LessonQuerySet":
        """Every version with who made it and how many deliveries pin it, newest first."""
        return (
            self.select_related("created_by", "published_by", "based_on")
            .annotate(delivery_count=models.Count("deliveries"))
            .order_by("slug", "-version")
        )


class Lesson(models.Model):
    class Status(models.TextChoices):
        # The status of a version (feminine in French: une version publiée).
        DRAFT = "draft", pgettext_lazy("version status", "Draft")
        PUBLISHED = "published", pgettext_lazy("version status", "Published")
        RETIRED = "retired", pgettext_lazy("version status", "Retired")

    slug = models.SlugField(max_length=50)
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    content_hash = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    language = models.CharField(max_length=5)
    aim = models.TextField()
    aim_html = models.TextField()
    relevance = models.TextField()
    relevance_html = models.TextField()
    learning_objectives = models.JSONField()
    minutes_total = models.PositiveIntegerField()
    minutes_presentation = models.PositiveIntegerField()
    minutes_interaction = models.PositiveIntegerField()
    opening = models.JSONField(null=True, blank=True)
    opening_html = models.JSONField(null=True, blank=True)
    references = models.JSONField(default=list, blank=True)
    references_html = models.JSONField(default=list, blank=True)
    derived = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # The editor's bookkeeping (lessons/editing.py): where a draft came from, who published it,
    # and per field the count of saves with who saved last, for the stale-save check.
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edit_versions = models.JSONField(default=dict, blank=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="lesson_version_unique")
        ]
        indexes = [models.Index(fields=["slug", "content_hash"])]
        ordering = ["slug", "-version"]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def opening_minutes(self) -> int:
        """The minutes planned for the opening, before the lesson map's first row."""
        return opening_minutes(self.opening)

    def opening_row(self, first_slide: int) -> "OpeningRow | None":
        """The opening as a row before the lesson map's, when it has minutes; `first_slide` is
        the first row's first slide, the one up while the opening is taught."""
        if not self.opening_minutes:
            return None
        return OpeningRow(self.opening_minutes, first_slide)

    def review_sections(self) -> models.QuerySet:
        """The lesson-map rows with their slides and activities, ready to render in one go."""
        slides = Slide.objects.select_related("activity").prefetch_related(
            "activity__phases", "activity__key_points"
        )
        return self.sections.prefetch_related(models.Prefetch("slides", queryset=slides))


@dataclass(frozen=True)
class OpeningRow:
    """The opening (the interactive start and the introductory slides before the lesson map's
    first slide), read like a lesson-map row by the console's map and the report."""

    planned_minutes: int
    first_slide: int
    position: int = OPENING_POSITION
    title: str = pgettext_lazy("lesson part", "Opening")

    @property
    def slides_label(self) -> str:
        introductory = self.first_slide - 1
        return "" if introductory < 1 else "1" if introductory == 1 else f"1-{introductory}"


class Section(models.Model):
    """A row of the lesson map."""

    class Kind(models.TextChoices):
        PRESENTATION = "presentation", _("Presentation")
        ACTIVITY = "activity", _("Activity")

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    slides_label = models.CharField(max_length=20)
    first_slide = models.PositiveIntegerField()
    last_slide = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    minutes_presentation = models.PositiveIntegerField()
    minutes_interaction = models.PositiveIntegerField()
    file = models.CharField(max_length=200)
    derived = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "position"], name="section_position_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def planned_minutes(self) -> int:
        return self.minutes_presentation + self.minutes_interaction

    @property
    def slide_count(self) -> int:
        return self.last_slide - self.first_slide + 1


class Activity(models.Model):
    class Kind(models.TextChoices):
        LEARNING_ACTIVITY = "learning_activity", _("Learning activity")
        GROUP_TASK = "group_task", _("Group task")
        BRAINSTORM = "brainstorm", _("Brainstorm")

    class Grouping(models.TextChoices):
        """How the class works on an activity (`grouping.kind` in the YAML)."""

        GROUPS = "groups", _("Small groups")
        PAIRS_OR_GROUPS = "pairs_or_groups", _("Pairs or small groups")
        CLASS = "class", _("The whole class")

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="activities")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveIntegerField()
    code = models.CharField(max_length=30)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)
    purpose_html = models.TextField(blank=True)
    instructions = models.JSONField(default=list)
    instructions_html = models.JSONField(default=list)
    task = models.TextField(blank=True)
    task_html = models.TextField(blank=True)
    resources = models.JSONField(default=list, blank=True)
    grouping = models.JSONField(default=dict)
    minutes = models.PositiveIntegerField()
    response_form = models.JSONField(default=dict)
    instructor_notes = models.TextField(blank=True)
    instructor_notes_html = models.TextField(blank=True)
    # The ids of the lesson's objectives the activity serves, in the order the YAML lists them.
    objective_codes = models.JSONField(default=list, blank=True)
    derived = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["section__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "code"], name="activity_code_unique")
        ]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_numbered(self) -> bool:
        return self.kind == self.Kind.LEARNING_ACTIVITY

    @property
    def heading_label(self) -> str:
        """The interface's name for the activity, e.g. `Learning Activity 5.2` or `Group task`;
        the title that follows it is lesson content, in the lesson's language."""
        if self.is_numbered:
            return gettext("Learning Activity %(code)s") % {"code": self.code}
        return str(self.get_kind_display())

    @property
    def heading(self) -> str:
        return pgettext("activity heading", "%(label)s: %(title)s") % {
            "label": self.heading_label,
            "title": self.title,
        }

    @property
    def grouping_summary(self) -> str:
        grouping = self.grouping
        size = grouping.get("size")
        kind = grouping["kind"]
        if grouping.get("count") and kind == self.Grouping.GROUPS:
            text = gettext("%(count)s groups") % {"count": grouping["count"]}
        elif size and kind == self.Grouping.PAIRS_OR_GROUPS:
            # The size is of the groups: 'pairs or small groups (4-5 per group)'.
            text = gettext("Pairs or small groups (%(min)s–%(max)s per group)") % {
                "min": size["min"],
                "max": size["max"],
            }
        elif size and kind != self.Grouping.CLASS:
            text = gettext("%(grouping)s of %(min)s–%(max)s") % {
                "grouping": self.Grouping(kind).label,
                "min": size["min"],
                "max": size["max"],
            }
        else:
            text = str(self.Grouping(kind).label)
        assignments = grouping.get("assignments")
        if assignments:
            labels = " / ".join(a["label"] for a in assignments)
            text = gettext("%(grouping)s, each assigned one of %(labels)s") % {
                "grouping": text,
                "labels": labels,
            }
        return text

    @property
    def form_kind(self) -> FormKind:
        """What the groups answer with (`response_form.kind`), bound to the form: lessons/forms/."""
        return form_kind(self.response_form)

    @property
    def response_form_label(self) -> str:
        """What the groups answer with, in a word or two: `A table`."""
        return str(self.form_kind.title)

    @property
    def response_form_summary(self) -> str:
        return self.form_kind.summary()

    @property
    def list_columns(self) -> list[str]:
        """The named columns a list form's points go into (5.2's Traditional / CoP), if any."""
        return self.form_kind.list_columns()


class Phase(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.name} ({self.minutes} min)"


class KeyPoint(models.Model):
    """A point the instructor reinforces if the groups did not mention it."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="key_points")
    position = models.PositiveIntegerField()
    text = models.TextField()
    text_html = models.TextField()
    slot = models.CharField(max_length=200, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    # The objectives the point evidences; empty means those of its activity.
    objective_codes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def served_objective_codes(self) -> list[str]:
        return list(self.objective_codes or self.activity.objective_codes)


class Objective(models.Model):
    """A learning objective of the lesson (`learning_objectives.items`), named by the short id
    that activities and key points cite."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveIntegerField()
    code = models.CharField(max_length=30)
    text = models.TextField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "code"], name="objective_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"


class Slide(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="slides")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="slides")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    key_message = models.TextField(blank=True)
    key_message_html = models.TextField(blank=True)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    reveal = models.TextField(blank=True)
    reveal_html = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    notes_html = models.TextField(blank=True)
    instructor_notes = models.TextField(blank=True)
    instructor_notes_html = models.TextField(blank=True)
    transition = models.TextField(blank=True)
    transition_html = models.TextField(blank=True)
    questions = models.JSONField(default=list, blank=True)
    questions_html = models.JSONField(default=list, blank=True)
    activity = models.OneToOneField(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="slide"
    )
    derived = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "number"], name="slide_number_unique")
        ]

    def __str__(self) -> str:
        return f"Slide {self.number}: {self.title}"
