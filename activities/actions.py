"""The console's actions by name, as buttons and keyboard shortcuts send them."""

from datetime import datetime

from django.utils.translation import gettext as _

from activities.debrief import coverage_decide
from activities.models import Delivery, DeliveryError, Submission
from activities.participation import bump_answers, submission_mark

TIMER_ACTIONS = ("toggle", "start", "pause", "extend", "next_phase", "reset")
COVERAGE = {"cover": "covered", "reinforce": "reinforced", "undecide": ""}
ANSWER_ACTIONS = ("hide", "spotlight", *COVERAGE)


def answer_action(delivery: Delivery, verb: str, target: str) -> None:
    """Wall marks and debrief calls: they change what is shown, not where the class is."""
    if delivery.status == Delivery.Status.ENDED:
        raise DeliveryError(_("This delivery has ended; nothing can be changed."))
    if not target.isdigit():
        raise DeliveryError(_("%(target)r is not a number.") % {"target": target})
    if verb in ("hide", "spotlight"):
        try:
            submission_mark(delivery=delivery, submission_id=int(target), mark=verb)
        except Submission.DoesNotExist:
            raise DeliveryError(_("That answer is not part of this delivery.")) from None
        return
    run = delivery.slide_run()
    if run is None:
        raise DeliveryError(_("This slide's activity has not been opened."))
    try:
        coverage_decide(run=run, key_point_id=int(target), status=COVERAGE[verb])
    except run.activity.key_points.model.DoesNotExist:
        raise DeliveryError(_("That key point is not part of this activity.")) from None
    bump_answers(delivery, None)


def perform_action(delivery: Delivery, name: str, *, now: datetime | None = None) -> None:
    """Carry out action `name` on `delivery`; raise `DeliveryError` with a message if it can't."""
    if name.startswith("timer:") and name.removeprefix("timer:") in TIMER_ACTIONS:
        delivery.change_timer(name.removeprefix("timer:"), now=now)
        return
    simple = {
        "next": delivery.advance,
        "prev": delivery.go_back,
        "start": delivery.start,
        "end": delivery.end,
        "blank": delivery.toggle_blank,
        "open_activity": delivery.open_activity,
        "close_activity": delivery.close_activity,
    }
    if name in simple:
        simple[name](now=now)
    elif name.partition(":")[0] in ANSWER_ACTIONS:
        answer_action(delivery, *name.split(":", 1))
    elif name.startswith("goto:"):
        number = name.removeprefix("goto:")
        if not number.isdigit():
            raise DeliveryError(_("%(number)r is not a slide number.") % {"number": number})
        delivery.go_to_slide(int(number), now=now)
    else:
        raise DeliveryError(_("Unknown action %(name)r.") % {"name": name})
