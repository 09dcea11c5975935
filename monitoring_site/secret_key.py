"""The file that contains SECRET_KEY when the environment does not give the key itself.

The Docker start scripts create the file on first start (in a volume, so the key
survives new containers), and settings read it through SECRET_KEY_FILE. Run
`python -m monitoring_site.secret_key PATH` to create one by hand.

This module imports nothing that needs Django settings, since it runs before they
can load.
"""

import logging
import os
import secrets
import sys
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


def create_secret_key_file(path):
    """Write a new random key to `path` unless a file exists there. Return True if this call wrote it."""
    path = Path(path)
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)

    # The key is written to a private temporary file and then hard-linked into
    # place: the link either appears complete or fails because another process
    # (the app and the poller start together) linked its own key first.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
    try:
        with os.fdopen(descriptor, "w") as stream:
            stream.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
    finally:
        os.unlink(temporary)
    return True


def read_secret_key_file(path, *, create=False):
    """Return the key stored in `path`, creating the file first when `create` is true."""
    path = Path(path)
    if create:
        try:
            create_secret_key_file(path)
        except OSError as error:
            raise ImproperlyConfigured(
                f"Cannot create SECRET_KEY_FILE {str(path)!r}: {error.strerror}. "
                "Set SECRET_KEY, or point SECRET_KEY_FILE at a writable location."
            ) from None
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ImproperlyConfigured(
            f"SECRET_KEY_FILE names {str(path)!r}, which does not exist. "
            f"Create it with `python -m monitoring_site.secret_key {path}`, or set SECRET_KEY instead."
        ) from None
    except OSError as error:
        raise ImproperlyConfigured(
            f"Cannot read SECRET_KEY_FILE {str(path)!r}: {error.strerror}. "
            "The file must be readable by the user that runs the app."
        ) from None
    if not key:
        raise ImproperlyConfigured(
            f"SECRET_KEY_FILE {str(path)!r} is empty. Delete it so that the start script writes a new key, "
            "or put a long random string in it."
        )
    return key


def main(argv):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stdout)
    if len(argv) != 1:
        logger.error("usage: python -m monitoring_site.secret_key PATH")
        return 2
    path = Path(argv[0])
    try:
        created = create_secret_key_file(path)
    except OSError as error:
        logger.error("cannot create the secret key file %s: %s", path, error.strerror)
        return 1
    if created:
        logger.info("created a new secret key in %s", path)
    else:
        logger.info("kept the existing secret key in %s", path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
