"""GET /healthz reports whether the database responds, for the compose health check and load balancers."""

import logging

from django.db import DatabaseError, connection
from django.http import HttpResponseNotAllowed, JsonResponse

logger = logging.getLogger(__name__)

HEALTH_PATHS = ("/healthz", "/healthz/")


def database_status():
    """Return "ok" when `SELECT 1` succeeds, else the class name of the error."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning(
            "health check failed: the database did not respond to SELECT 1: %s: %s", type(error).__name__, error
        )
        return type(error).__name__
    return "ok"


def healthz(request):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    database = database_status()
    if database == "ok":
        return JsonResponse({"status": "ok", "database": "ok"})
    return JsonResponse({"status": "error", "database": database}, status=503)


class HealthCheckMiddleware:
    """Respond to /healthz before any other middleware runs.

    Probes come from load balancers that address the app by IP and over plain
    HTTP, so the ALLOWED_HOSTS check and the HTTPS redirect would turn every
    probe into an error. The response reveals nothing but whether the database
    responds, so it needs neither a login nor a known host name.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in HEALTH_PATHS:
            return healthz(request)
        return self.get_response(request)
