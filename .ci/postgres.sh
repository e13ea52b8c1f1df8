#!/usr/bin/env bash
# A throwaway PostgreSQL server for the run-store tests.
#
#   eval "$(.ci/postgres.sh start)"   # prints only `export ...` lines on stdout
#   .ci/postgres.sh stop [DATADIR]    # DATADIR defaults to $TEST_PGDATA
#
# start: finds initdb/pg_ctl (PATH or /usr/lib/postgresql/*/bin); as root, runs the
# server as the ordinary user `pgtest` (created with useradd if missing: PostgreSQL
# refuses to run as root); makes a data dir under /tmp, picks a free port, trust
# auth on 127.0.0.1 only, and prints
#   export TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:PORT/postgres
#   export TEST_PGDATA=DIR
#   export TEST_PGPORT=PORT
# Everything else goes to stderr. The server log is DIR/log.
set -euo pipefail

PG_USER=${PG_USER:-pgtest}

log() { echo "postgres.sh: $*" >&2; }

find_bin() {
  local name=$1 dir
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/$name" ]; then echo "$dir/$name"; return 0; fi
  done
  return 1
}

# Run a command as the server's user (root) or as ourselves (anyone else).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u "$PG_USER" -- "$@"
    else
      su -s /bin/sh "$PG_USER" -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

free_port() {
  local port
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  log "no free port found"; return 1
}

start() {
  local initdb pg_ctl datadir port attempt
  initdb=$(find_bin initdb) || { log "initdb not found (apt-get install postgresql)"; exit 1; }
  pg_ctl=$(find_bin pg_ctl) || { log "pg_ctl not found"; exit 1; }
  if [ "$(id -u)" -eq 0 ] && ! id "$PG_USER" >/dev/null 2>&1; then
    log "creating user $PG_USER (PostgreSQL refuses to run as root)"
    useradd --create-home --shell /bin/sh "$PG_USER" >&2
  fi
  datadir=$(mktemp -d /tmp/sales-verdicts-pg.XXXXXX)
  chmod 700 "$datadir"
  if [ "$(id -u)" -eq 0 ]; then chown "$PG_USER" "$datadir"; fi
  as_pg "$initdb" -D "$datadir" -A trust -U postgres -E UTF8 --no-locale >&2
  # A port can be taken between choosing and binding it: try a few.
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_pg "$pg_ctl" -D "$datadir" -l "$datadir/log" -w -t 60 \
        -o "-k $datadir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
        start >&2; then
      log "PostgreSQL on 127.0.0.1:$port, data in $datadir"
      echo "export TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:$port/postgres"
      echo "export TEST_PGDATA=$datadir"
      echo "export TEST_PGPORT=$port"
      return 0
    fi
    log "start on port $port failed (attempt $attempt); log follows"
    tail -n 5 "$datadir/log" >&2 || true
  done
  log "could not start PostgreSQL"
  exit 1
}

stop() {
  local datadir=${1:-${TEST_PGDATA:-}} pg_ctl
  if [ -z "$datadir" ]; then log "stop: no data dir (give one, or set TEST_PGDATA)"; exit 1; fi
  case "$datadir" in
    /tmp/sales-verdicts-pg.*) ;;
    *) log "stop: refusing to touch $datadir (not one of ours)"; exit 1 ;;
  esac
  pg_ctl=$(find_bin pg_ctl) || { log "pg_ctl not found"; exit 1; }
  if [ -f "$datadir/postmaster.pid" ]; then
    as_pg "$pg_ctl" -D "$datadir" -m fast -w stop >&2 || log "pg_ctl stop failed"
  fi
  rm -rf "$datadir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop [DATADIR]" >&2; exit 2 ;;
esac
