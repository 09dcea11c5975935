"""Create the first admin account, with a random password that is printed once.

Used by scripts/quickstart.sh so that a newcomer can log in without editing a
file, and without any fixed default password existing anywhere.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

PASSWORD_BYTES = 18


class Command(BaseCommand):
    help = (
        "Create an admin (superuser) account with a generated password, printed once, "
        "unless a superuser already exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin", help="Name of the account to create (default: admin).")

    def handle(self, *args, username, **options):
        User = get_user_model()
        with transaction.atomic():
            existing = User.objects.filter(is_superuser=True).order_by("pk").first()
            if existing is not None:
                self.stdout.write(
                    f"An admin account already exists ({existing.get_username()}); nothing changed. "
                    f"To change its password, run manage.py changepassword {existing.get_username()}."
                )
                return
            if User.objects.filter(**{User.USERNAME_FIELD: username}).exists():
                raise CommandError(
                    f"A user named {username!r} exists but is not an admin. "
                    "Choose another name with --username, or run manage.py createsuperuser."
                )
            password = secrets.token_urlsafe(PASSWORD_BYTES)
            User.objects.create_superuser(**{User.USERNAME_FIELD: username}, email="", password=password)

        self.stdout.write(self.style.SUCCESS(f"Created the admin account {username!r}."))
        self.stdout.write(f"  user name: {username}")
        self.stdout.write(f"  password:  {password}")
        self.stdout.write(
            f"This password is shown only once. Keep it, or change it with manage.py changepassword {username}."
        )
