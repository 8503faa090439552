from datetime import UTC, datetime, timedelta

from activities.pacing import RowPlan, Visit, compute_pacing, plan_slides
from lessons.minutes import OPENING_POSITION as OPENING

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
ROWS = [RowPlan(1, 1, 2, 10), RowPlan(2, 3, 3, 0)]  # two slides of 5 min, then an activity
PLAN = plan_slides(ROWS, {3: 15})


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def test_presentation_minutes_spread_over_the_row_and_activities_add_theirs():
    assert [(s.number, s.planned) for s in PLAN] == [
        (1, minutes(5)),
        (2, minutes(5)),
        (3, minutes(15)),
    ]


def test_behind_when_a_slide_overruns_its_share():
    visits = [Visit(1, T0, None)]
    pacing = compute_pacing(PLAN, visits, current_slide=1, started_at=T0, now=T0 + minutes(8))
    assert pacing.planned_elapsed == minutes(5)
    assert pacing.behind_minutes == 3
    assert pacing.projected_finish == T0 + minutes(28)
    assert pacing.planned_finish == T0 + minutes(25)


def test_ahead_when_the_class_reaches_a_slide_early():
    visits = [Visit(1, T0, T0 + minutes(2)), Visit(3, T0 + minutes(2), None)]
    pacing = compute_pacing(PLAN, visits, current_slide=3, started_at=T0, now=T0 + minutes(3))
    assert pacing.planned_elapsed == minutes(11)  # 10 before slide 3, 1 spent on it
    assert pacing.behind_minutes == -8
    assert pacing.projected_finish == T0 + minutes(17)


def test_time_spent_is_summed_per_lesson_map_row_including_returns():
    visits = [
        Visit(1, T0, T0 + minutes(4)),
        Visit(3, T0 + minutes(4), T0 + minutes(6)),
        Visit(2, T0 + minutes(6), None),
    ]
    pacing = compute_pacing(PLAN, visits, current_slide=2, started_at=T0, now=T0 + minutes(9))
    assert pacing.spent_by_section == {1: minutes(7), 2: minutes(2)}


OPENED = plan_slides(ROWS, {3: 15}, opening_minutes=4)  # 4 min of opening before slide 1's row


def test_the_opening_is_planned_on_the_first_slide():
    assert [(s.number, s.planned, s.opening) for s in OPENED] == [
        (1, minutes(9), minutes(4)),
        (2, minutes(5), minutes(0)),
        (3, minutes(15), minutes(0)),
    ]
    visits = [Visit(1, T0, None)]
    pacing = compute_pacing(OPENED, visits, current_slide=1, started_at=T0, now=T0 + minutes(3))
    assert pacing.planned_finish == T0 + minutes(29)
    assert pacing.planned_elapsed == minutes(3) and pacing.behind_minutes == 0
    assert pacing.in_opening
    assert pacing.spent_by_section == {OPENING: minutes(3)}  # the first row has not begun


def test_the_first_visit_pays_the_opening_first_then_the_first_row():
    visits = [Visit(1, T0, T0 + minutes(6)), Visit(2, T0 + minutes(6), None)]
    pacing = compute_pacing(OPENED, visits, current_slide=2, started_at=T0, now=T0 + minutes(7))
    assert pacing.spent_by_section == {OPENING: minutes(4), 1: minutes(3)}
    assert not pacing.in_opening
    assert pacing.opening_spent == minutes(4)
    assert pacing.planned_elapsed == minutes(10)  # 9 for slide 1 (opening included), 1 on slide 2


def test_a_return_to_the_first_slide_counts_for_its_row_not_the_opening():
    visits = [
        Visit(1, T0, T0 + minutes(2)),
        Visit(2, T0 + minutes(2), T0 + minutes(3)),
        Visit(1, T0 + minutes(3), None),
    ]
    pacing = compute_pacing(OPENED, visits, current_slide=1, started_at=T0, now=T0 + minutes(8))
    assert pacing.spent_by_section == {OPENING: minutes(2), 1: minutes(6)}
    assert not pacing.in_opening


def test_no_opening_when_the_lesson_starts_elsewhere():
    visits = [Visit(3, T0, None)]
    pacing = compute_pacing(OPENED, visits, current_slide=3, started_at=T0, now=T0 + minutes(2))
    assert pacing.spent_by_section == {2: minutes(2)}
    assert pacing.opening_spent == timedelta() and not pacing.in_opening


def test_shares_add_up_to_the_row_so_the_plan_finishes_on_the_minute():
    plan = plan_slides([RowPlan(1, 1, 9, 8)], {}, opening_minutes=8)  # 8 min over nine slides
    assert sum((s.planned for s in plan), timedelta()) == minutes(16)
    assert all(abs(s.planned - minutes(8 / 9)) < timedelta(microseconds=2) for s in plan[1:])
