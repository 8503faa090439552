from django.http import HttpRequest

from copsite.roles import COORDINATOR, INSTRUCTOR, roles_of


def roles(request: HttpRequest) -> dict:
    """Which parts of the app the signed-in person may open, for the top bar."""
    held = roles_of(getattr(request, "user", None))
    if not held:
        return {}
    return {"is_instructor": INSTRUCTOR in held, "is_coordinator": COORDINATOR in held}
