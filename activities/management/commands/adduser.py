import secrets
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from copsite.roles import ROLES, grant_role


class Command(BaseCommand):
    help = (
        "Create a user (or update an existing one) with a role. The password is read from "
        "standard input with --password-stdin, or generated and printed. With --if-missing an "
        "existing user keeps its password (and so its sessions) and only gains the roles."
    )

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--role", action="append", choices=ROLES, required=True)
        parser.add_argument("--password-stdin", action="store_true")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="leave an existing user's password as it is (setting it signs the user out)",
        )

    def handle(
        self,
        *args,
        name: str,
        role: list[str],
        password_stdin: bool,
        if_missing: bool,
        **options,
    ):
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
            if len(password) < 8:
                raise CommandError("the password must be at least 8 characters long")
        else:
            password = secrets.token_urlsafe(9)
        with transaction.atomic():
            user, created = get_user_model().objects.get_or_create(username=name)
            # Setting a password, even the same one, changes its hash, which ends every
            # session of the user (Django's session auth hash).
            keep_password = if_missing and not created
            if not keep_password:
                user.set_password(password)
                user.save()
            for each in role:
                grant_role(user, each)
        if keep_password:
            self.stdout.write(f"Kept {name} ({', '.join(role)}): it exists; password unchanged")
            return
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {name} ({', '.join(role)})")
        if not password_stdin:
            self.stdout.write(f"  login: {name}\n  password: {password}")
