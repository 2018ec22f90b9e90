"""Settings come from the environment: the Secret's keys and the
ConfigMap's. Secret values are held but never logged or returned."""

import os
from dataclasses import dataclass, field


def async_url(url: str) -> str:
    """The app talks to PostgreSQL through asyncpg; DATABASE_URL is the plain
    libpq form that alembic and psql also understand."""
    for prefix in ("postgresql+psycopg2://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix):]
    return url


def sync_url(url: str) -> str:
    """Alembic migrates through psycopg2, whatever form DATABASE_URL has."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


@dataclass(frozen=True)
class Settings:
    database_url: str
    log_level: str = "INFO"
    log_format: str = "json"
    allowed_origins: tuple = ("http://localhost:3000",)
    environment: str = "development"
    # Read so a missing key is visible at startup; repr=False keeps them out of
    # any accidental print of the settings.
    openrouter_api_key: str = field(default="", repr=False)
    better_auth_secret: str = field(default="", repr=False)
    vapid_private_key: str = field(default="", repr=False)
    vapid_public_key: str = field(default="", repr=False)


def load() -> Settings:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit(
            "error: DATABASE_URL is not set; fix: set it to postgresql://user:password@host:5432/db"
        )
    origins = os.environ.get("ALLOWED_ORIGINS", "http://localhost:3000")
    return Settings(
        database_url=url,
        log_level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        log_format=os.environ.get("LOG_FORMAT", "json"),
        allowed_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        environment=os.environ.get("ENVIRONMENT", "development"),
        openrouter_api_key=os.environ.get("OPENROUTER_API_KEY", ""),
        better_auth_secret=os.environ.get("BETTER_AUTH_SECRET", ""),
        vapid_private_key=os.environ.get("VAPID_PRIVATE_KEY", ""),
        vapid_public_key=os.environ.get("VAPID_PUBLIC_KEY", ""),
    )
