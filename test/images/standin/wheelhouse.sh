#!/bin/sh
# Runs as root inside the bookworm root filesystem to make the local
# wheelhouse (wheelhouse.py): Debian's python3-* packages for the backend's
# requirements, installed here only to be repacked as wheels into
# /wheelhouse. This root filesystem is thrown away; the python stand-in
# itself carries none of these packages.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  python3 python3-pip python3-wheel \
  python3-fastapi python3-uvicorn python3-sqlalchemy python3-greenlet \
  python3-asyncpg python3-alembic python3-psycopg2 >/dev/null
python3 /tmp/wheelhouse.py /tmp/requirements.txt /wheelhouse
