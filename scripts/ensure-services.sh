#!/usr/bin/env bash
# Makes sure Redis (127.0.0.1:6379), RabbitMQ (127.0.0.1:5672) and PostgreSQL (127.0.0.1:5432) answer, for the shared-mode
# tests and `npm run chaos`. A service that already answers is left alone; one that does not is
# installed from Debian's packages if missing, started, and waited for. Exits non-zero with one
# line naming the service when it cannot be had. Only ever aimed at 127.0.0.1.
set -uo pipefail

REDIS_PORT="${RINGSIDE_TEST_REDIS_PORT:-6379}"
AMQP_PORT="${RINGSIDE_TEST_AMQP_PORT:-5672}"
PG_PORT="${RINGSIDE_TEST_POSTGRES_PORT:-5432}"
WAIT_SECONDS="${RINGSIDE_SERVICE_WAIT_SECONDS:-90}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

redis_answers() { command -v redis-cli >/dev/null && [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }
# AMQP answers when the port accepts and the broker's own status check passes (the port opens
# a moment before the broker accepts logins).
rabbit_answers() { port_open "$AMQP_PORT" && { ! command -v rabbitmq-diagnostics >/dev/null || rabbitmq-diagnostics -q check_port_connectivity >/dev/null 2>&1; }; }

apt_install() {
  as_root env DEBIAN_FRONTEND=noninteractive bash -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $*" >/dev/null 2>&1
}

wait_for() {
  local check=$1 deadline=$((SECONDS + WAIT_SECONDS))
  until "$check"; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 1
  done
}

ensure_redis() {
  redis_answers && return 0
  command -v redis-server >/dev/null || apt_install redis-server redis-tools || { echo "Redis: not answering on 127.0.0.1:$REDIS_PORT and apt-get install redis-server failed" >&2; return 1; }
  as_root mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /tmp --logfile /tmp/ringside-redis.log >/dev/null 2>&1
  wait_for redis_answers || { echo "Redis: started but not answering on 127.0.0.1:$REDIS_PORT within ${WAIT_SECONDS}s (see /tmp/ringside-redis.log)" >&2; return 1; }
}

ensure_rabbitmq() {
  rabbit_answers && return 0
  command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server || { echo "RabbitMQ: not answering on 127.0.0.1:$AMQP_PORT and apt-get install rabbitmq-server failed" >&2; return 1; }
  as_root rabbitmq-server -detached >/dev/null 2>&1 || rabbitmq-server -detached >/dev/null 2>&1
  wait_for rabbit_answers || { echo "RabbitMQ: started but not answering on 127.0.0.1:$AMQP_PORT within ${WAIT_SECONDS}s" >&2; return 1; }
}

# PostgreSQL answers when it accepts a login as postgres over TCP (test/support/postgres.ts's URL).
postgres_answers() {
  command -v psql >/dev/null && PGPASSWORD=postgres PGCONNECT_TIMEOUT=3 psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc 'SELECT 1' >/dev/null 2>&1
}

ensure_postgres() {
  postgres_answers && return 0
  command -v pg_ctlcluster >/dev/null || apt_install postgresql postgresql-client || { echo "PostgreSQL: not answering on 127.0.0.1:$PG_PORT and apt-get install postgresql failed" >&2; return 1; }
  local version
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
  [ -n "$version" ] || { echo "PostgreSQL: installed but no cluster under /etc/postgresql" >&2; return 1; }
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
  # A fresh Debian cluster asks TCP logins for a password: give postgres the one the tests use.
  as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null 2>&1 || true
  wait_for postgres_answers || { echo "PostgreSQL: started but not answering on 127.0.0.1:$PG_PORT within ${WAIT_SECONDS}s" >&2; return 1; }
}

status=0
ensure_redis || status=1
ensure_rabbitmq || status=1
ensure_postgres || status=1
exit "$status"
