from datetime import UTC, datetime, timedelta

from activities.pacing import RowPlan, Visit, compute_pacing, plan_slides

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
