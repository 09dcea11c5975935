"""Gunicorn settings for docker/app.sh, read from the same environment as the Django settings."""

from pathlib import Path

from monitoring_site.env import read_choice, read_int, read_str
from monitoring_site.log_format import logging_config

bind = f"{read_str('BIND_ADDRESS', '0.0.0.0')}:{read_int('PORT', 8000, minimum=1)}"
workers = read_int("WEB_CONCURRENCY", 2, minimum=1)
timeout = read_int("GUNICORN_TIMEOUT", 60, minimum=1)
# Shorter than the compose stop_grace_period, so requests in flight finish
# before Docker sends SIGKILL.
graceful_timeout = read_int("GUNICORN_GRACEFUL_TIMEOUT", 20, minimum=1)

# Worker heartbeats go to memory: a container's overlay file system can stall
# them long enough for the arbiter to kill a healthy worker.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None

# The control socket would live in $HOME, which several instances share in
# tests and which the container user cannot write.
control_socket_disable = True

log_level = read_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
loglevel = log_level.lower()
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s bytes %(M)s ms'
logconfig_dict = logging_config(log_level, {"gunicorn.error": log_level, "gunicorn.access": "INFO"})
