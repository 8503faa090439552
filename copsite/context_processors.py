from django.http import HttpRequest

from activities.roles import COORDINATOR, INSTRUCTOR


def roles(request: HttpRequest) -> dict:
    """Which parts of the app the signed-in person may open, for the top bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    names = set(user.groups.values_list("name", flat=True))
    return {"is_instructor": INSTRUCTOR in names, "is_coordinator": COORDINATOR in names}
