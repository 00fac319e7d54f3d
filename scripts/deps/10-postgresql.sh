#!/usr/bin/env bash
# PostgreSQL server binaries (initdb, pg_ctl, postgres) for the tests of the PostgreSQL store. The tests
# start their own throwaway cluster; nothing is configured or started here. Idempotent.
set -euo pipefail

have_binaries() {
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

if have_binaries; then
  echo "PostgreSQL is installed."
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

echo "Installing PostgreSQL from Debian…"
# The tests run their own cluster: keep the package from creating (and starting) a default one.
$sudo mkdir -p /etc/postgresql-common
if ! grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf; then
  echo 'create_main_cluster = false' | $sudo tee -a /etc/postgresql-common/createcluster.conf >/dev/null
fi
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends postgresql

if ! have_binaries; then
  echo "PostgreSQL was installed but initdb is not found." >&2
  exit 1
fi
