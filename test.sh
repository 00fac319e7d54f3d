#!/usr/bin/env bash
# Runs every test of OpenEngage. First installs what the tests need (idempotently): each script in
# scripts/deps/ installs one thing (PostgreSQL, Node packages, Chromium, …) and is safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

for dependency in scripts/deps/*.sh; do
  [ -e "$dependency" ] || continue
  echo "== test.sh: $(basename "$dependency")"
  bash "$dependency"
done

echo "== test.sh: build"
dotnet build OpenEngage.slnx -c Release --nologo -v quiet

echo "== test.sh: test"
log=$(mktemp)
status=0
# One test project at a time: several start real servers, PostgreSQL clusters or Chromium under
# time limits, and on a 2-core machine they should not compete with each other.
dotnet test OpenEngage.slnx -c Release --no-build --nologo -m:1 2>&1 | tee "$log" || status=$?

echo "== test.sh: HTTP and web page tests on PostgreSQL"
OPENENGAGE_TEST_STORAGE=postgres dotnet test tests/OpenEngage.Server.Tests -c Release --no-build --nologo 2>&1 | tee -a "$log" || status=$?
OPENENGAGE_TEST_STORAGE=postgres dotnet test tests/OpenEngage.Web.Tests -c Release --no-build --nologo 2>&1 | tee -a "$log" || status=$?

# One closing line for the whole run: the sum over every test project.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
