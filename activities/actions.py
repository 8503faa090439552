"""The console's actions by name, as buttons and keyboard shortcuts send them."""

from datetime import datetime

from activities.models import Delivery, DeliveryError

TIMER_ACTIONS = ("toggle", "start", "pause", "extend", "next_phase", "reset")


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
    elif name.startswith("goto:"):
        number = name.removeprefix("goto:")
        if not number.isdigit():
            raise DeliveryError(f"{number!r} is not a slide number.")
        delivery.go_to_slide(int(number), now=now)
    else:
        raise DeliveryError(f"Unknown action {name!r}.")
