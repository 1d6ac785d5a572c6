# syntax=docker/dockerfile:1
# The loyalty-api server: docs/deployment.md ("Containers").  Build from the repository's root:
#   docker build -t loyalty-api .
# Stage 1 builds wheels of the project and its dependencies (all have binary wheels: no compiler needed).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY loyalty_api ./loyalty_api
COPY renderers ./renderers
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# Stage 2: the runtime, without pip's cache, the sources or the build stage's layers.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LOYALTY_DATABASE_URL=sqlite:////data/loyalty.db
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index /wheels/*.whl \
    && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin loyalty \
    && mkdir /data && chown loyalty:loyalty /data
# A non-root user (numeric, so that runAsNonRoot can check it); /data holds the SQLite file when no
# PostgreSQL URL is given.
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
# Liveness only: /healthz never touches the database (use /readyz for readiness in an orchestrator).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# `serve` applies pending migrations, then serves; any other command runs in its place, e.g.
#   docker run --rm -e LOYALTY_DATABASE_URL=... loyalty-api db status
ENTRYPOINT ["loyalty-api"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
