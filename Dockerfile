# syntax=docker/dockerfile:1
# meshwatch: one image for every process (web, worker, beat, watcher, migrations, the
# simulator exporter); deploy/entrypoint.sh picks the process by its first argument.
#
#   docker build -t meshwatch .
#   docker run --rm -p 8000:8000 -e DATABASE_URL=... -e REDIS_URL=... meshwatch web
#
# The image runs as a non-root user with a read-only root filesystem: only /tmp and /data
# (a volume, for an SQLite file in single-container trials) need to be writable.

# --- stage 1: the frontend bundle ------------------------------------------------------
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
# The lock file first, so the npm layer is rebuilt only when dependencies change.
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
# build.mjs writes to ../webapp/ui/static/ui/dist, i.e. /src/webapp/ui/static/ui/dist.
RUN npm run build

# --- stage 2: the Python runtime -------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime

# No .pyc files at run time (the root filesystem is read-only; they are compiled below),
# logs straight to stdout, and no pip cache in the image.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=webapp.settings \
    HOME=/tmp \
    MESHWATCH_STATIC_ROOT=/app/staticfiles \
    DATABASE_URL=sqlite:////data/meshwatch.sqlite3

WORKDIR /app

# The pinned direct dependencies from pyproject.toml, installed on their own so this layer
# survives code changes. `pip install .` is not used: setuptools would leave the templates
# and static files out of the installed package, so the code runs from /app instead
# (PYTHONPATH above). psycopg[binary] brings its own libpq: no compiler, no apt packages.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --no-compile -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY manage.py ./
COPY webapp/ webapp/
COPY collectors/ collectors/
COPY --from=frontend /src/webapp/ui/static/ui/dist/ webapp/ui/static/ui/dist/
COPY deploy/entrypoint.sh /usr/local/bin/meshwatch-entrypoint

# Static files collected once at build time (WhiteNoise serves them from STATIC_ROOT), and
# bytecode compiled now because nothing can write it at run time. The secret key is a
# throwaway: collectstatic needs settings to import, not a real key.
RUN MESHWATCH_SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput --verbosity 0 \
    && python -m compileall -q /app /usr/local/lib/python3.11 \
    && chmod 0755 /usr/local/bin/meshwatch-entrypoint

# A fixed numeric UID/GID, so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --system --gid 10001 meshwatch \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp \
       --shell /usr/sbin/nologin meshwatch \
    && mkdir -p /data \
    && chown 10001:10001 /data
VOLUME ["/data"]
USER 10001:10001

# 8000: the web process (pages, REST, websockets, /metrics); 9102: the simulator exporter.
EXPOSE 8000 9102
ENTRYPOINT ["/usr/local/bin/meshwatch-entrypoint"]
CMD ["web"]
