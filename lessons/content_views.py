"""The coordinator's editor at /content/: versions, drafts edited field by field, validation,
publishing, YAML in and out, and the comparison of two versions.

The views only speak HTTP; the rules live in lessons/editing.py (drafts, saves, publishing),
lessons/fields.py (what a field is), lessons/archive.py (zips) and lessons/compare.py (diffs).
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from copsite.htmx import redirect_or_client_redirect, vary_on_htmx
from copsite.parsing import parse_int
from copsite.roles import coordinator_required
from lessons import editing
from lessons.archive import read_uploads, zip_lesson
from lessons.compare import compare_versions
from lessons.countdown import epoch_ms, ready_countdown
from lessons.editing import EditRefused, FieldState, PublishRefused, SaveConflict
from lessons.errors import LessonInvalid
from lessons.exporter import dump
from lessons.fields import (
    FieldInvalid,
    UnknownField,
    UnsavedActivity,
    activity_target,
    bind_key,
    lesson_target,
    section_target,
    slide_target,
)
from lessons.models import Activity, Lesson, Slide


def version_or_404(lesson_id: int) -> Lesson:
    return get_object_or_404(Lesson.objects.select_related("based_on"), pk=lesson_id)


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def editor_context(lesson: Lesson, **extra) -> dict:
    return {
        "lesson": lesson,
        "totals": editing.minutes_summary(lesson),
        **extra,
    }


# Lessons and versions.


@require_GET
@coordinator_required
def index(request: HttpRequest) -> TemplateResponse:
    return index_page(request)


def index_page(request: HttpRequest, **extra) -> TemplateResponse:
    versions = Lesson.objects.for_content_index()
    return TemplateResponse(
        request,
        "content/index.html",
        {"versions": versions, **extra},
        status=400 if extra.get("upload_problems") else 200,
    )


@require_POST
@coordinator_required
def upload(request: HttpRequest) -> HttpResponse:
    try:
        files, ignored = read_uploads(request.FILES.getlist("files"))
        draft = editing.draft_create_from_files(files=files, user=request.user)
    except LessonInvalid as invalid:
        return index_page(request, upload_problems=invalid.problems)
    except EditRefused as refused:
        messages.error(request, str(refused))
        return redirect("content:index")
    uploaded = ngettext(
        "Uploaded %(count)s file as draft version %(version)s of %(slug)s.",
        "Uploaded %(count)s files as draft version %(version)s of %(slug)s.",
        len(files),
    ) % {"count": len(files), "version": draft.version, "slug": draft.slug}
    if ignored:
        left_out = gettext("Left out (not .yaml): %(names)s.") % {"names": ", ".join(ignored)}
        uploaded = f"{uploaded} {left_out}"
    messages.success(request, uploaded)
    return redirect(editing.version_url(draft))


@require_GET
@coordinator_required
def version(request: HttpRequest, lesson_id: int) -> TemplateResponse:
    lesson = version_or_404(lesson_id)
    return version_page(request, lesson)


def version_page(
    request: HttpRequest, lesson: Lesson, *, status: int = 200, **extra
) -> TemplateResponse:
    sections = editing.lesson_sections(lesson)
    context = editor_context(
        lesson,
        details=editing.field_states(lesson, lesson_target(lesson)),
        map_rows=[
            (section, editing.field_states(lesson, section_target(section))) for section in sections
        ],
        **extra,
    )
    return TemplateResponse(request, "content/version.html", context, status=status)


@require_POST
@coordinator_required
def new_draft(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = version_or_404(lesson_id)
    try:
        draft = editing.draft_create_from_version(lesson=lesson, user=request.user)
    except (LessonInvalid, EditRefused) as refused:
        messages.error(
            request,
            gettext("Could not make a draft from version %(version)s: %(reason)s")
            % {"version": lesson.version, "reason": refused},
        )
        return redirect("content:index")
    messages.success(
        request,
        gettext("Draft version %(draft)s made from version %(version)s; edit away.")
        % {"draft": draft.version, "version": lesson.version},
    )
    return redirect(editing.version_url(draft))


@require_POST
@coordinator_required
def discard(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = version_or_404(lesson_id)
    try:
        editing.draft_discard(lesson=lesson)
    except EditRefused as refused:
        messages.error(request, str(refused))
        return redirect_or_client_redirect(request, editing.version_url(lesson))
    messages.success(
        request,
        gettext("Draft version %(version)s of %(slug)s discarded.")
        % {"version": lesson.version, "slug": lesson.slug},
    )
    return redirect_or_client_redirect(request, reverse("content:index"))


@require_POST
@coordinator_required
def retire(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = version_or_404(lesson_id)
    try:
        editing.version_retire(lesson=lesson)
    except EditRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            gettext(
                "Version %(version)s retired: new deliveries cannot pick it; "
                "deliveries that use it keep it."
            )
            % {"version": lesson.version},
        )
    return redirect_or_client_redirect(request, reverse("content:index"))


# Validate and publish.


@vary_on_htmx
@require_GET
@coordinator_required
def validate(request: HttpRequest, lesson_id: int) -> TemplateResponse:
    lesson = version_or_404(lesson_id)
    problems = editing.draft_problems(lesson)
    if request.htmx:
        return TemplateResponse(
            request,
            "content/version.html#problems",
            {"lesson": lesson, "problems": problems, "validated": True},
        )
    return version_page(request, lesson, problems=problems, validated=True)


@vary_on_htmx
@require_POST
@coordinator_required
def publish(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = version_or_404(lesson_id)
    try:
        published = editing.draft_publish(lesson=lesson, user=request.user)
    except PublishRefused as refused:
        if request.htmx:
            return TemplateResponse(
                request,
                "content/version.html#problems",
                {"lesson": lesson, "problems": refused.problems, "refused": True},
                status=400,
            )
        return version_page(request, lesson, status=400, problems=refused.problems, refused=True)
    except EditRefused as refused:
        messages.error(request, str(refused))
        return redirect_or_client_redirect(request, editing.version_url(lesson))
    messages.success(
        request,
        gettext(
            "Published as version %(version)s. New deliveries get it; deliveries that already "
            "pinned an earlier version keep theirs."
        )
        % {"version": published.version},
    )
    return redirect_or_client_redirect(request, editing.version_url(published))


# Editing a draft, one field at a time.


@vary_on_htmx
@require_http_methods(["GET", "POST"])
@coordinator_required
def field(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """GET shows one field (on its own page, or its partial to htmx); POST saves it."""
    lesson = version_or_404(lesson_id)
    data = request.POST if request.method == "POST" else request.GET
    key = data.get("field", "")
    try:
        bound = bind_key(lesson, key)
    except UnknownField as unknown:
        raise Http404(str(unknown)) from None
    state = editing.field_state(lesson, bound)
    status = 200
    if request.method == "POST":
        state, status = save_field(request, lesson, key, state)
        if status == 200 and not request.htmx:
            return redirect(safe_next(request, editing.version_url(lesson)) + f"#{bound.anchor}")
        lesson.refresh_from_db()
    template = "content/field.html#field" if request.htmx else "content/field.html"
    context = {
        "lesson": lesson,
        "state": state,
        "totals": editing.minutes_summary(lesson),
        "oob_totals": request.htmx and request.method == "POST",
        "compact": data.get("compact") == "1",
        "next": safe_next(request, editing.version_url(lesson)),
    }
    return TemplateResponse(request, template, context, status=status)


def save_field(
    request: HttpRequest, lesson: Lesson, key: str, state: FieldState
) -> tuple[FieldState, int]:
    version = request.POST.get("version", "")
    version = parse_int(version)
    version = -1 if version is None else version
    try:
        saved = editing.draft_save_field(
            lesson=lesson, key=key, data=request.POST, version=version, user=request.user
        )
    except SaveConflict as conflict:
        return (
            editing.field_state(
                lesson,
                conflict.field,
                version=conflict.version,
                yours=conflict.yours,
                conflict=conflict,
            ),
            409,
        )
    except (FieldInvalid, EditRefused) as refused:
        reasons = refused.messages if isinstance(refused, FieldInvalid) else [str(refused)]
        try:
            yours = state.field.parse(request.POST)
        except FieldInvalid:
            yours = None
        return (
            editing.field_state(
                lesson, state.field, version=version, yours=yours, errors=tuple(reasons)
            ),
            400,
        )
    lesson.refresh_from_db()
    return (
        editing.field_state(lesson, saved.field, saved=saved.changed, unchanged=not saved.changed),
        200,
    )


@require_GET
@coordinator_required
def slide(request: HttpRequest, lesson_id: int, number: int) -> TemplateResponse:
    lesson = version_or_404(lesson_id)
    current = get_object_or_404(lesson.slides.select_related("section", "activity"), number=number)
    numbers = list(lesson.slides.values_list("number", flat=True))
    position = numbers.index(number)
    context = editor_context(
        lesson,
        slide=current,
        fields=editing.field_states(lesson, slide_target(current)),
        previous_number=numbers[position - 1] if position else None,
        next_number=numbers[position + 1] if position + 1 < len(numbers) else None,
        preview_notes=[],
    )
    return TemplateResponse(request, "content/slide.html", context)


@require_POST
@coordinator_required
def slide_preview(request: HttpRequest, lesson_id: int, number: int) -> TemplateResponse:
    lesson = version_or_404(lesson_id)
    current = get_object_or_404(lesson.slides.select_related("section", "activity"), number=number)
    preview = slide_target(current).preview(request.POST)
    return TemplateResponse(
        request,
        "content/slide.html#preview",
        {"lesson": lesson, "slide": preview.row, "preview_notes": preview.notes},
    )


@require_GET
@coordinator_required
def activity(request: HttpRequest, lesson_id: int, code: str) -> TemplateResponse:
    lesson = version_or_404(lesson_id)
    current = get_object_or_404(
        lesson.activities.select_related("section").prefetch_related("phases", "key_points"),
        code=code,
    )
    context = editor_context(
        lesson,
        activity=current,
        opened_on=opened_on(current),
        fields=editing.field_states(lesson, activity_target(current)),
        preview_notes=[],
        phases_note=editing.phases_note(current),
        **projector_timer(current),
    )
    return TemplateResponse(request, "content/activity.html", context)


@require_POST
@coordinator_required
def activity_preview(request: HttpRequest, lesson_id: int, code: str) -> TemplateResponse:
    lesson = version_or_404(lesson_id)
    current = get_object_or_404(lesson.activities.select_related("section"), code=code)
    preview = activity_target(current).preview(request.POST)
    return TemplateResponse(
        request,
        "content/activity.html#preview",
        {
            "lesson": lesson,
            "activity": preview.row,
            "opened_on": opened_on(current),
            "preview_notes": preview.notes,
            "phases_note": editing.phases_note(preview.row),
            **projector_timer(preview.row),
        },
    )


def projector_timer(activity: Activity | UnsavedActivity) -> dict:
    """The projector's timer as it reads the moment the activity opens."""
    now = timezone.now()
    return {"timer": ready_countdown(list(activity.phases.all())), "server_now_ms": epoch_ms(now)}


def opened_on(activity):
    """The slide that opens the activity, if any."""
    return Slide.objects.filter(activity=activity).first()


# YAML out, and comparing versions.


@require_GET
@coordinator_required
def download(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = version_or_404(lesson_id)
    response = HttpResponse(zip_lesson(dump(lesson), lesson.slug), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="{lesson.slug}-v{lesson.version}-{lesson.status}.zip"'
    )
    return response


@require_GET
@coordinator_required
def compare(request: HttpRequest, slug: str) -> TemplateResponse:
    versions = list(Lesson.objects.filter(slug=slug).order_by("-version"))
    if not versions:
        raise Http404(gettext("No lesson %(slug)r") % {"slug": slug})
    by_number = {lesson.version: lesson for lesson in versions}
    new = by_number.get(number(request.GET.get("new")), versions[0])
    default_old = new.based_on if new.based_on and new.based_on.slug == slug else None
    default_old = default_old or next((v for v in versions if v.version < new.version), new)
    old = by_number.get(number(request.GET.get("old")), default_old)
    return TemplateResponse(
        request,
        "content/compare.html",
        {"slug": slug, "versions": versions, "comparison": compare_versions(old, new)},
    )


def number(text: str | None) -> int | None:
    return parse_int(text)
