"""The console's actions: one named action with typed arguments per button or key.

A button posts `action=<name>` or `action=<name>:<argument>` (a plain HTML form can send only
its submitter's one value, and the console must work without JavaScript); `parse_action` turns
that into an `Action` once, so nothing past it looks at the string. Every action carries the
revision of the console it was pressed on: the console's queue sends them one after another,
each on the revision the previous one left, so a second "next" is "next from there", and an
action made on a screen someone else has since changed is refused rather than misapplied.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db import transaction
from django.utils.translation import gettext as _

from activities.debrief import coverage_decide
from activities.models import Delivery, DeliveryError, Submission
from activities.participation import bump_answers, submission_mark
from copsite.parsing import parse_int


class ActionName(StrEnum):
    START = "start"
    END = "end"
    NEXT = "next"
    PREV = "prev"
    GOTO = "goto"
    BLANK = "blank"
    REVEAL = "reveal"
    OPEN_ACTIVITY = "open_activity"
    CLOSE_ACTIVITY = "close_activity"
    TIMER = "timer"
    HIDE = "hide"
    SPOTLIGHT = "spotlight"
    COVER = "cover"
    REINFORCE = "reinforce"
    UNDECIDE = "undecide"
    SPOTLIGHT_GROUP = "spotlight_group"


class TimerCommand(StrEnum):
    TOGGLE = "toggle"
    START = "start"
    PAUSE = "pause"
    EXTEND = "extend"
    NEXT_PHASE = "next_phase"
    RESET = "reset"


# What each action's argument is: a slide number, an answer, a key point, a timer command.
SLIDE_ACTIONS = {ActionName.GOTO}
SUBMISSION_ACTIONS = {ActionName.HIDE, ActionName.SPOTLIGHT}
COVERAGE = {
    ActionName.COVER: "covered",
    ActionName.REINFORCE: "reinforced",
    ActionName.UNDECIDE: "",
}
WITH_ARGUMENT = (
    SLIDE_ACTIONS
    | SUBMISSION_ACTIONS
    | set(COVERAGE)
    | {ActionName.TIMER, ActionName.SPOTLIGHT_GROUP}
)


@dataclass(frozen=True)
class Action:
    name: ActionName
    number: int | None = None  # the slide, answer or key point the action is about
    timer: TimerCommand | None = None


def parse_action(value: str) -> Action:
    """The action a button posted, or `DeliveryError` saying what is wrong with it."""
    head, _colon, argument = value.partition(":")
    try:
        name = ActionName(head)
    except ValueError:
        raise DeliveryError(_("Unknown action %(name)r.") % {"name": value[:40]}) from None
    if name not in WITH_ARGUMENT:
        if argument:
            raise DeliveryError(_("Unknown action %(name)r.") % {"name": value[:40]})
        return Action(name)
    if name is ActionName.TIMER:
        try:
            return Action(name, timer=TimerCommand(argument))
        except ValueError:
            raise DeliveryError(
                _("Unknown timer action %(action)r.") % {"action": argument[:40]}
            ) from None
    number = parse_int(argument)
    if number is None:
        if name in SLIDE_ACTIONS:
            raise DeliveryError(_("%(number)r is not a slide number.") % {"number": argument[:40]})
        if name is ActionName.SPOTLIGHT_GROUP:
            raise DeliveryError(_("%(number)r is not a group number.") % {"number": argument[:40]})
        raise DeliveryError(_("%(target)r is not a number.") % {"target": argument[:40]})
    return Action(name, number=number)


def answer_action(delivery: Delivery, action: Action) -> None:
    """Wall marks and debrief calls: they change what is shown, not where the class is."""
    if delivery.status == Delivery.Status.ENDED:
        raise DeliveryError(_("This delivery has ended; nothing can be changed."))
    if action.name in SUBMISSION_ACTIONS:
        try:
            submission_mark(delivery=delivery, submission_id=action.number, mark=action.name.value)
        except Submission.DoesNotExist:
            raise DeliveryError(_("That answer is not part of this delivery.")) from None
        return
    run = delivery.slide_run()
    if run is None:
        raise DeliveryError(_("This slide's activity has not been opened."))
    try:
        coverage_decide(run=run, key_point_id=action.number, status=COVERAGE[action.name])
    except run.activity.key_points.model.DoesNotExist:
        raise DeliveryError(_("That key point is not part of this activity.")) from None
    bump_answers(delivery, None)


def apply_action(delivery: Delivery, action: Action, *, now: datetime | None = None) -> None:
    """Carry out `action` on `delivery`; raise `DeliveryError` with a message if it can't."""
    simple = {
        ActionName.NEXT: delivery.advance,
        ActionName.PREV: delivery.go_back,
        ActionName.START: delivery.start,
        ActionName.END: delivery.end,
        ActionName.BLANK: delivery.toggle_blank,
        ActionName.REVEAL: delivery.toggle_reveal,
        ActionName.OPEN_ACTIVITY: delivery.open_activity,
        ActionName.CLOSE_ACTIVITY: delivery.close_activity,
    }
    if action.name in simple:
        simple[action.name](now=now)
    elif action.name is ActionName.TIMER:
        delivery.change_timer(action.timer.value, now=now)
    elif action.name is ActionName.GOTO:
        delivery.go_to_slide(action.number, now=now)
    elif action.name is ActionName.SPOTLIGHT_GROUP:
        delivery.spotlight_group_toggle(action.number, now=now)
    else:
        answer_action(delivery, action)


def perform_action(
    delivery: Delivery, value: str, *, made_on: str = "", now: datetime | None = None
) -> None:
    """Parse and carry out a posted action, if it was made on the delivery's current revision.

    `made_on` is the revision the console showed when the action was pressed (empty: not
    known, as from a script); checked under the row lock, so two consoles cannot both act on
    the same state.
    """
    action = parse_action(value)
    revision = parse_int(made_on) if made_on else None
    if made_on and revision is None:
        raise DeliveryError(_("%(revision)r is not a revision.") % {"revision": made_on[:40]})
    with transaction.atomic():
        current = (
            Delivery.objects.select_for_update()
            .values_list("revision", flat=True)
            .get(pk=delivery.pk)
        )
        if revision is not None and revision != current:
            raise DeliveryError(
                _(
                    "The lesson changed on another screen before this action arrived; it was "
                    "not done. Check the console and press again."
                )
            )
        apply_action(delivery, action, now=now)
