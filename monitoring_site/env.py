"""Typed readers for settings that come from the environment.

Each reader raises ImproperlyConfigured with the variable name, the bad value
and what is accepted, so a typo stops the process at start instead of later.
"""

import math
import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def read_str(name, default=""):
    return os.environ.get(name, default)


def read_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"Invalid value for {name}: {raw!r}. Use one of 1, true, yes, on or 0, false, no, off.")


def read_int(name, default, minimum=None):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"Invalid value for {name}: {raw!r}. Expected a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"Invalid value for {name}: {raw!r}. Expected a number of at least {minimum}.")
    return value


def read_float(name, default, minimum=None, maximum=None):
    """Read a finite number. Infinity and NaN are rejected, because no setting may mean "forever"."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"Invalid value for {name}: {raw!r}. Expected a number, such as 2 or 0.5.") from None
    if not math.isfinite(value):
        raise ImproperlyConfigured(f"Invalid value for {name}: {raw!r}. Expected a finite number, such as 2 or 0.5.")
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"Invalid value for {name}: {raw!r}. Expected a number of at least {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"Invalid value for {name}: {raw!r}. Expected a number of at most {maximum}.")
    return value


def read_list(name, default=()):
    """Read a comma-separated list, dropping blanks."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def read_choice(name, default, choices):
    """Read one of a fixed set of words, compared without regard to case."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    for choice in choices:
        if choice.lower() == value:
            return choice
    raise ImproperlyConfigured(f"Invalid value for {name}: {raw!r}. Use one of {', '.join(choices)}.")


def read_origin_list(name, default=()):
    """Read a comma-separated list of origins such as https://monitor.example.com."""
    origins = read_list(name, default)
    for origin in origins:
        scheme, separator, host = origin.partition("://")
        if scheme not in ("http", "https") or not separator or not host or "/" in host:
            raise ImproperlyConfigured(
                f"Invalid value for {name}: {origin!r}. Each item is a scheme and a host, "
                "such as https://monitor.example.com or http://localhost:8000, without a path."
            )
    return origins
