#!/bin/sh
# Runs as root inside the bookworm root filesystem to make the stand-in for
# postgres:15 (the chart's in-cluster database): Debian's PostgreSQL 15 and
# postgres-entrypoint.sh, which keeps the official image's documented
# contract (POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB, PGDATA, initdb on
# an empty volume, /docker-entrypoint-initdb.d, UID 999).
set -eu
export DEBIAN_FRONTEND=noninteractive
# As the official image: the postgres user is 999:999, made before the
# package would pick another id, and no cluster is made at install time
# (the entrypoint makes one in PGDATA).
groupadd -r --gid 999 postgres
useradd -r --gid postgres --uid 999 --home-dir /var/lib/postgresql --shell /bin/bash postgres
mkdir -p /var/lib/postgresql /etc/postgresql-common
chown postgres:postgres /var/lib/postgresql
echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
apt-get clean
rm -rf /var/lib/apt/lists/*
# As upstream: the server listens on every address of its network namespace.
sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" /usr/share/postgresql/15/postgresql.conf.sample
grep -q "^listen_addresses = '\*'" /usr/share/postgresql/15/postgresql.conf.sample
mkdir -p /docker-entrypoint-initdb.d /var/lib/postgresql/data
chown postgres:postgres /var/lib/postgresql/data
chmod 1777 /var/lib/postgresql/data
# The socket directory: group-writable as in the official image, so any
# UID in group postgres can run the server.
mkdir -p /var/run/postgresql
chown postgres:postgres /var/run/postgresql
chmod 3777 /var/run/postgresql
chmod 755 /usr/local/bin/docker-entrypoint.sh
