from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse

from copsite.parsing import parse_int
from lessons.models import Lesson


@login_required
def lesson_detail(request: HttpRequest, slug: str) -> TemplateResponse:
    """The latest published version, or `?version=N`, laid out for review against the source."""
    lessons = Lesson.objects.published().filter(slug=slug)
    version = request.GET.get("version", "")
    lesson = lessons.filter(version=parse_int(version)).first() if version else lessons.first()
    if lesson is None:
        raise Http404(f"No published lesson {slug!r}")
    return TemplateResponse(
        request,
        "lessons/lesson_detail.html",
        {"lesson": lesson, "sections": lesson.review_sections()},
    )
