"""The two roles: instructors deliver lessons, coordinators edit them. One person may hold both."""

from django.contrib.auth.models import AbstractBaseUser, Group

INSTRUCTOR = "instructor"
COORDINATOR = "coordinator"
ROLES = (INSTRUCTOR, COORDINATOR)


def grant_role(user: AbstractBaseUser, role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; the roles are {', '.join(ROLES)}")
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)


def has_role(user: AbstractBaseUser, role: str) -> bool:
    return user.is_authenticated and user.groups.filter(name=role).exists()
