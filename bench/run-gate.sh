#!/usr/bin/env bash
# The ingestion regression gate: a bounded run of bench/OpenEngage.Bench (every scenario against
# /engage and the parse-only ceiling, each on a fresh server) whose ratios /engage ÷ ceiling are
# compared with bench/baseline.json. Exit code 0: no ratio fell by more than the tolerance;
# 3: a regression; 1: requests failed; 2: bad usage.
#
#   bench/run-gate.sh                      # compare (10 s per scenario and endpoint, tolerance 0.25)
#   bench/run-gate.sh --write-baseline     # measure and write bench/baseline.json instead
#   SECONDS_PER_RUN=20 TOLERANCE=0.3 bench/run-gate.sh
#
# Takes about (SECONDS_PER_RUN + 2 s warm-up + start-up) x 6 runs, about 1.5 minutes by default.
# Timing depends on what else runs on the machine: run it on a quiet machine, and compare ratios
# only (absolute rates are not gated).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${SECONDS_PER_RUN:-10}"
tolerance="${TOLERANCE:-0.25}"
artifacts="$(mktemp -d)"
trap 'rm -rf "$artifacts"' EXIT

dotnet build src/OpenEngage.Server -c Release --nologo -v quiet --artifacts-path "$artifacts" >&2
dotnet build bench/OpenEngage.Bench -c Release --nologo -v quiet >&2

# The bench stops itself: every measurement is bounded, plus a backstop; timeout is the last resort.
timeout 900 dotnet bench/OpenEngage.Bench/bin/Release/net10.0/OpenEngage.Bench.dll \
  --server "$artifacts/bin/OpenEngage.Server/release/OpenEngage.Server.dll" \
  --seconds "$seconds" --warmup 2 \
  --baseline bench/baseline.json --tolerance "$tolerance" "$@"
