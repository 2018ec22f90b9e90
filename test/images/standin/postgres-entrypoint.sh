#!/bin/bash
# The postgres stand-in's entrypoint: the official postgres image's
# documented contract on Debian's PostgreSQL 15, in short.
# - POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust),
#   POSTGRES_USER (default postgres), POSTGRES_DB (default $POSTGRES_USER),
#   POSTGRES_INITDB_ARGS, PGDATA (default /var/lib/postgresql/data).
# - An empty PGDATA gets initdb, the database and /docker-entrypoint-initdb.d
#   (*.sh, *.sql); a PGDATA that has PG_VERSION is used as it is.
# - Started as root, it fixes PGDATA's owner and drops to postgres (999);
#   started as any other UID (the chart's runAsUser 999), it runs as that.
# Writes only to PGDATA, /var/run/postgresql and /tmp, so it runs with a
# read-only root filesystem and those as volumes.
set -Eeuo pipefail

export PGDATA=${PGDATA:-/var/lib/postgresql/data}
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}

say() { printf '%s\n' "$*" >&2; }

if [[ ${1:-} == -* ]]; then
  set -- postgres "$@"
fi
if [[ ${1:-} != postgres ]]; then
  exec "$@"
fi

if [[ $(id -u) == 0 ]]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi

if [[ ! -s $PGDATA/PG_VERSION ]]; then
  if [[ -z ${POSTGRES_PASSWORD:-} && ${POSTGRES_HOST_AUTH_METHOD:-} != trust ]]; then
    say 'error: database is uninitialized and superuser password is not specified.'
    say '       You must specify POSTGRES_PASSWORD to a non-empty value for the'
    say '       superuser (or POSTGRES_HOST_AUTH_METHOD=trust, never in production).'
    exit 1
  fi
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA" 2>/dev/null || true
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a word list, as upstream
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") \
    --auth-local=trust --auth-host=scram-sha-256 ${POSTGRES_INITDB_ARGS:-} >&2
  auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
  # A temporary server on the socket only, as upstream, for the setup.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start >&2
  psql=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc -h /var/run/postgresql)
  if [[ $POSTGRES_DB != postgres ]]; then
    "${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db" ;' >&2
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case $f in
    *.sh) say "running $f"; . "$f" ;;
    *.sql) say "running $f"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" >&2 ;;
    *) [[ -e $f ]] && say "ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >&2
  say 'PostgreSQL init process complete; ready for start up.'
fi

exec "$@"
