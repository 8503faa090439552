"""The minutes rules, decided once in lessons/minutes.py for checklesson and the editor."""

from lessons.minutes import Gap, LessonMinutes, Part, RowMinutes, phases_gap, rows_gaps, rows_total


def test_parts_must_add_up_to_the_total():
    assert LessonMinutes(total=90, presentation=40, interaction=50).parts_gap() is None
    assert LessonMinutes(total=90, presentation=40, interaction=45).parts_gap() == Gap(90, 85)


def test_the_opening_counts_as_presentation_for_the_rows():
    plan = LessonMinutes(total=30, presentation=15, interaction=15, opening=5)
    rows = [RowMinutes(10, 15, activities=15)]
    assert rows_total(plan, rows, Part.PRESENTATION) == 15
    assert rows_gaps(plan, rows) == {}
    without_opening = LessonMinutes(total=30, presentation=15, interaction=15)
    assert rows_gaps(without_opening, rows) == {Part.PRESENTATION: Gap(15, 10)}


def test_a_row_plans_what_its_activities_take_and_an_activity_what_its_phases_take():
    assert RowMinutes(5, 20, activities=25).activities_gap() == Gap(20, 25)
    assert RowMinutes(5, 20, activities=20).activities_gap() is None
    assert phases_gap(20, [5, 10, 5]) is None
    assert phases_gap(20, [5, 10]) == Gap(20, 15)
