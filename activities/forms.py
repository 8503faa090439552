from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import Delivery
from lessons.models import Lesson


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
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].label_from_instance = lambda lesson: (
            _("%(title)s — version %(version)s")
            % {"title": lesson.title, "version": lesson.version}
        )
