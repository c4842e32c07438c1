#!/usr/bin/env bash
# PostgreSQL (127.0.0.1:5432, user postgres without a password), Redis (127.0.0.1:6379) and
# RabbitMQ (127.0.0.1:5672, guest/guest) for `make test` and `make cluster`, from Debian's
# packages: each one is installed when missing, started when it does not answer (without
# systemd: pg_ctlcluster, then `service` or the daemon itself), and waited for until it
# accepts connections (a bounded check, never a fixed sleep). When all three already answer
# it does nothing and returns at once. Only their own packages and services are touched.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

POSTGRES_PORT=5432
REDIS_PORT=6379
RABBITMQ_PORT=5672

say() { echo "services: $*"; }
fail() { echo "services: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else fail "run as root (or install sudo) to install or start: $*"
  fi
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

postgres_ready() {
  if command -v pg_isready >/dev/null; then pg_isready -q -h 127.0.0.1 -p "$POSTGRES_PORT"
  else listening "$POSTGRES_PORT"; fi
}
redis_ready() {
  if command -v redis-cli >/dev/null; then
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
  else listening "$REDIS_PORT"; fi
}
rabbitmq_ready() { listening "$RABBITMQ_PORT"; }  # its listener opens once it has booted

postgres_installed() { command -v pg_ctlcluster >/dev/null && compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; }
redis_installed() { command -v redis-server >/dev/null; }
rabbitmq_installed() { command -v rabbitmq-server >/dev/null; }

# Wait until `<name>_ready` holds, at most <seconds>.
wait_ready() {
  local name=$1 seconds=$2 deadline=$((SECONDS + $2))
  until "${name}_ready"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$name does not accept connections after ${seconds}s"
    sleep 0.5
  done
}

# The common case (this machine, CI after the first run): nothing to do.
if postgres_installed && redis_installed && rabbitmq_installed \
  && postgres_ready && redis_ready && rabbitmq_ready; then
  exit 0
fi

missing=()
postgres_installed || missing+=(postgresql)
redis_installed || missing+=(redis-server)
rabbitmq_installed || missing+=(rabbitmq-server)
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || fail "install ${missing[*]} (no apt-get on this machine)"
  say "installing ${missing[*]} from Debian's packages"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

postgres_cluster() {  # "<version> <name>" of the first cluster, created if there is none
  if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
    local version
    version=$(basename "$(compgen -G "/usr/lib/postgresql/*" | sort -V | tail -n 1)")
    say "creating the PostgreSQL $version cluster" >&2
    as_root pg_createcluster "$version" main >&2
  fi
  pg_lsclusters -h | head -n 1 | cut -d' ' -f1,2
}

if [[ " ${missing[*]-} " == *" postgresql "* ]]; then
  # Installed just now: the tests connect as postgres, without a password, on loopback.
  read -r version cluster < <(postgres_cluster)
  hba="/etc/postgresql/$version/$cluster/pg_hba.conf"
  say "letting user postgres in without a password on 127.0.0.1 and ::1 ($hba)"
  as_root sed -i "1i host all postgres ::1/128 trust  # scripts/services.sh (make test)" "$hba"
  as_root sed -i "1i host all postgres 127.0.0.1/32 trust  # scripts/services.sh (make test)" "$hba"
  ! postgres_ready || as_root pg_ctlcluster "$version" "$cluster" reload
fi
if ! postgres_ready; then
  read -r version cluster < <(postgres_cluster)
  say "starting PostgreSQL $version/$cluster"
  as_root pg_ctlcluster "$version" "$cluster" start || true  # already starting: waited for below
fi
if ! redis_ready; then
  say "starting Redis"
  as_root service redis-server start \
    || as_root redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --dir "${TMPDIR:-/tmp}"
fi
if ! rabbitmq_ready; then
  say "starting RabbitMQ"
  as_root service rabbitmq-server start || as_root rabbitmq-server -detached
fi

wait_ready postgres 60
wait_ready redis 30
wait_ready rabbitmq 120
if [ -z "${BALAGH_TEST_POSTGRES_URL:-}" ] && command -v psql >/dev/null \
  && ! psql -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; then
  fail "PostgreSQL refuses user postgres without a password on 127.0.0.1: add" \
    "'host all postgres 127.0.0.1/32 trust' to pg_hba.conf, or set BALAGH_TEST_POSTGRES_URL"
fi
say "PostgreSQL, Redis and RabbitMQ accept connections"
