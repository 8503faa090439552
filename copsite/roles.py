"""The two roles and every check of them: instructors deliver lessons, coordinators edit them.
One person may hold both. Views ask through the decorators here, templates through
`copsite.context_processors.roles`, and both read `roles_of`, so a permission is checked one way.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.models import Group as RoleGroup
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

INSTRUCTOR = "instructor"
COORDINATOR = "coordinator"
ROLES = (INSTRUCTOR, COORDINATOR)
# The roles of a user are read once per request (the user object lives for one request).
ROLES_READ = "_cop_roles"


def grant_role(user: AbstractBaseUser, role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; the roles are {', '.join(ROLES)}")
    role_group, _created = RoleGroup.objects.get_or_create(name=role)
    user.groups.add(role_group)
    user.__dict__.pop(ROLES_READ, None)


def roles_of(user: AbstractBaseUser | None) -> frozenset[str]:
    if user is None or not user.is_authenticated:
        return frozenset()
    if ROLES_READ not in user.__dict__:
        names = user.groups.filter(name__in=ROLES).values_list("name", flat=True)
        user.__dict__[ROLES_READ] = frozenset(names)
    return user.__dict__[ROLES_READ]


def has_role(user: AbstractBaseUser | None, role: str) -> bool:
    return role in roles_of(user)


def role_required(*roles: str, refusal: Callable[[], str]) -> Callable[[Callable], Callable]:
    """A signed-in user holding any of `roles`; anyone else is refused with `refusal()`."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not roles_of(request.user) & set(roles):
                raise PermissionDenied(refusal())
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


instructor_required = role_required(
    INSTRUCTOR, refusal=lambda: _("Only instructors can use the console.")
)
coordinator_required = role_required(
    COORDINATOR, refusal=lambda: _("Only coordinators can edit lesson content.")
)
report_reader_required = role_required(
    INSTRUCTOR, COORDINATOR, refusal=lambda: _("Only instructors and coordinators read reports.")
)
coordinator_reports_required = role_required(
    COORDINATOR, refusal=lambda: _("Only coordinators see reports across deliveries.")
)
