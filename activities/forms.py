from django import forms

from activities.models import Delivery
from lessons.models import Lesson


class DeliveryForm(forms.ModelForm):
    lesson = forms.ModelChoiceField(
        queryset=Lesson.objects.published(),
        empty_label=None,
        help_text="The version is pinned: later edits to the lesson do not change this class.",
    )
    expected_class_size = forms.IntegerField(
        min_value=1, max_value=200, initial=20, help_text="Used to suggest groups of 4–5."
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
            "is_rehearsal",
        ]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        labels = {
            "is_rehearsal": "Rehearsal (walk through the lesson without a class)",
            "grouping_mode": "Groups",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].label_from_instance = lambda lesson: (
            f"{lesson.title} — version {lesson.version}"
        )
