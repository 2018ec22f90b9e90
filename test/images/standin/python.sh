#!/bin/sh
# Runs as root inside the bookworm root filesystem to make the stand-in for
# python:3.11-slim. Bookworm's python3 is 3.11; Debian's python3-* packages
# stand in for what pip would fetch from PyPI, which this machine cannot
# reach; the alembic package adds the `alembic` command pip would install.
set -eu
export DEBIAN_FRONTEND=noninteractive
# Debian's official images (python:3.11-slim's base) carry this apt config,
# which drops apt's caches after every install; without it a Dockerfile's
# `apt-get install` would leave ~77 MB here that the real image never has.
cat > /etc/apt/apt.conf.d/docker-clean <<'CONF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  python3 python-is-python3 python3-pip \
  python3-fastapi python3-uvicorn python3-sqlalchemy python3-greenlet \
  python3-asyncpg python3-alembic alembic python3-psycopg2 >/dev/null
apt-get clean
rm -rf /var/lib/apt/lists/*
# Stand-in only, never in a shipped Dockerfile: pip answers from the system
# packages above without an index. no-deps because Debian patches packages
# past their declared pins (fastapi 0.92 asks for starlette<0.26, Debian ships
# 0.26.1), which pip's resolver would reject. break-system-packages because
# bookworm's pip refuses to touch a Debian-managed Python otherwise.
cat > /etc/pip.conf <<'CONF'
[global]
no-index = true
no-deps = true
break-system-packages = true
CONF
