"""Settings for the page benchmark: the real settings, served without collectstatic to Django's test client."""

from monitoring_site.settings import *  # noqa: F403

ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
# The manifest storage needs collectstatic; the benchmark times views, not static files.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
