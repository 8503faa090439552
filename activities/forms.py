from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import (
    TAKEAWAY_DAYS_DEFAULT,
    TAKEAWAY_DAYS_MAX,
    TAKEAWAY_DAYS_MIN,
    Delivery,
    takeaway_days_message,
)
from copsite.parsing import parse_int
from lessons.models import Lesson

TAKEAWAY_ENABLED_LABEL = _("Participants get a take-away when the lesson ends")
TAKEAWAY_DAYS_HELP = _(
    "How many days after the end each participant can still open, print or save it (1 to 90)."
)


class TakeawayDaysField(forms.CharField):
    """Days from 1 to 90 in ASCII digits: `int()` would read "١٢" as 12 and refuse "²" with a
    500 elsewhere; every refusal here says the range."""

    widget = forms.NumberInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Keep the take-away for (days)"))
        kwargs.setdefault("help_text", TAKEAWAY_DAYS_HELP)
        kwargs.setdefault("initial", TAKEAWAY_DAYS_DEFAULT)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"min": TAKEAWAY_DAYS_MIN, "max": TAKEAWAY_DAYS_MAX, "inputmode": "numeric"}
        )

    def clean(self, value) -> int:
        text = super().clean(value).strip()
        days = parse_int(text)
        if days is None or not TAKEAWAY_DAYS_MIN <= days <= TAKEAWAY_DAYS_MAX:
            raise forms.ValidationError(takeaway_days_message(), code="takeaway_days")
        return days


class TakeawaySettingsForm(forms.Form):
    """The take-away's two settings, which the instructor may change even after the end."""

    takeaway_enabled = forms.BooleanField(required=False, label=TAKEAWAY_ENABLED_LABEL)
    takeaway_days = TakeawayDaysField()


class DeliveryForm(forms.ModelForm):
    lesson = forms.ModelChoiceField(
        queryset=Lesson.objects.published(),
        empty_label=None,
        label=_("Lesson"),
        help_text=_("The version is pinned: later edits to the lesson do not change this class."),
    )
    expected_class_size = forms.IntegerField(
        min_value=1,
        max_value=200,
        initial=20,
        label=_("Expected class size"),
        help_text=_("Used to suggest groups of 4–5."),
    )
    takeaway_days = TakeawayDaysField()

    class Meta:
        model = Delivery
        fields = [
            "lesson",
            "title",
            "date",
            "place",
            "expected_class_size",
            "grouping_mode",
            "language",
            "is_rehearsal",
            "takeaway_enabled",
            "takeaway_days",
        ]
        # `<input type="date">` takes only YYYY-MM-DD: a localised value (02/12/2026) shows empty.
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {
            "is_rehearsal": _("Rehearsal (walk through the lesson without a class)"),
            "title": _("Class"),
            "date": _("Date"),
            "place": _("Place"),
            "grouping_mode": _("Groups"),
            "language": _("Participants' language"),
            "takeaway_enabled": TAKEAWAY_ENABLED_LABEL,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].label_from_instance = lambda lesson: (
            _("%(title)s — version %(version)s")
            % {"title": lesson.title, "version": lesson.version}
        )
