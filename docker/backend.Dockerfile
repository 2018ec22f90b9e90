# The todo backend: FastAPI on python:3.11-slim, two stages.
# Build context: the backend directory (requirements.txt, src/, migrations/,
# alembic.ini). Debian-based on purpose: musl (Alpine) breaks asyncpg and
# psycopg2 wheels.
#
# No secret is ever an ARG or ENV here: DATABASE_URL and the API keys arrive
# at runtime from the <release>-secrets Secret.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
# gcc and libpq-dev exist only to compile psycopg2 and friends; they never
# reach the final stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements.txt .
# --prefix keeps the installed packages in one tree the final stage copies.
# mkdir: when the base already satisfies every requirement nothing is
# installed, and the COPY below must still find the directory.
RUN mkdir -p /install \
 && pip install --no-cache-dir --prefix=/install -r requirements.txt

FROM ${PYTHON_IMAGE} AS production
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
# libpq5 is psycopg2's runtime library; the compiler stays in the builder.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1000 app \
 && useradd --uid 1000 --gid 1000 --no-create-home --shell /usr/sbin/nologin app
COPY --from=builder /install /usr/local
WORKDIR /app
# Numeric, so the kubelet can verify runAsNonRoot without a passwd lookup.
USER 1000:1000
EXPOSE 7860
# Slim images have no curl; python's urllib is always there.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:7860/health', timeout=4)"]
CMD ["python", "-m", "uvicorn", "src.main:app", "--host", "0.0.0.0", "--port", "7860"]
# What changes most comes last, after every setting: with a layer cache
# (buildah --layers, docker, podman), an edit under src/ rebuilds this one
# layer, not one layer per instruction after it (buildah commits each).
COPY --chown=1000:1000 alembic.ini ./
COPY --chown=1000:1000 migrations/ ./migrations/
COPY --chown=1000:1000 src/ ./src/
