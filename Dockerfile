# One image for both services: docker/app.sh (the web UI) and docker/poller.sh (the ingester).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

# The poller renames files in the host's logs/ folder, which belongs to the
# host user; uid 1000 is the first user on most Linux machines. Build with
# APP_UID=$(id -u) if yours differs (see README, "Run with Docker Compose").
ARG APP_UID=1000
RUN groupadd --system --gid "$APP_UID" app \
    && useradd --system --uid "$APP_UID" --gid app --home-dir /data --no-create-home --shell /usr/sbin/nologin app

COPY . .

# A throwaway key: collectstatic loads the settings, which require one, but
# signs nothing. The running app gets its own key at start.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    python manage.py collectstatic --noinput --verbosity 0

# /data holds the generated secret key; Docker copies this ownership into the
# named volume the first time it is mounted.
RUN mkdir -p /data /app/logs && chown app:app /data /app/logs

ENV SECRET_KEY_FILE=/data/secret_key \
    LOGS_DIR=/app/logs

USER app
EXPOSE 8000
CMD ["sh", "docker/app.sh"]
