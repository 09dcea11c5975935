"""manage.py create_admin: one admin with a generated password, printed once; a second run changes nothing."""

import io
import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("create_admin", *args, stdout=out)
    return out.getvalue()


def test_creates_an_admin_that_can_log_in():
    output = run()

    password = re.search(r"password:\s+(\S+)", output).group(1)
    assert len(password) >= 20
    user = authenticate(username="admin", password=password)
    assert user is not None
    assert user.is_superuser
    assert user.is_staff


def test_passwords_differ_between_installs():
    first = re.search(r"password:\s+(\S+)", run("--username", "one")).group(1)
    get_user_model().objects.all().delete()
    second = re.search(r"password:\s+(\S+)", run("--username", "one")).group(1)

    assert first != second


def test_second_run_changes_nothing_and_prints_no_password():
    run()
    hashed = get_user_model().objects.get(username="admin").password

    output = run()

    assert "already exists (admin); nothing changed" in output
    assert "password:" not in output
    assert get_user_model().objects.get(username="admin").password == hashed


def test_existing_non_admin_with_that_name_is_an_error():
    get_user_model().objects.create_user("admin", password="x-not-admin-123")

    with pytest.raises(CommandError, match="exists but is not an admin"):
        run()
