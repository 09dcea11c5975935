"""One log line per event, for Django's loggers and gunicorn's alike."""

import logging

LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class OneLineFormatter(logging.Formatter):
    """Escape line breaks so that a traceback stays one event for line-based log collectors."""

    def __init__(self, fmt=LINE_FORMAT, datefmt=None, style="%", validate=True, **kwargs):
        super().__init__(fmt, datefmt, style, validate, **kwargs)

    def format(self, record):
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")


def logging_config(root_level, levels=None):
    """Build a dictConfig that sends every logger to stdout through OneLineFormatter.

    `levels` maps logger names to their own levels; gunicorn's config adds its
    loggers here so that access and error lines look like the app's.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "line": {"()": OneLineFormatter},
        },
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "line"},
        },
        "root": {"handlers": ["stdout"], "level": root_level},
        # Gunicorn turns propagation off on its loggers, so it is turned back on and every line goes through root.
        "loggers": {name: {"level": level, "propagate": True} for name, level in (levels or {}).items()},
    }
