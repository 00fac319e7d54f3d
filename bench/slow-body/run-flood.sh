#!/usr/bin/env bash
# usage: run-flood.sh SERVER_BINARY PORT
set -euo pipefail
bin=$1; port=$2
data=$(mktemp -d)
"$bin" --urls=http://127.0.0.1:$port --Storage:Path=$data --Projects:0:Name=flood --Projects:0:Token=tok --Projects:0:ApiSecret=sec --Logging:LogLevel:Default=Warning > $data/server.log 2>&1 &
pid=$!
sleep 4
for i in $(seq 1 20); do curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d "[{\"\$token\":\"tok\",\"\$distinct_id\":\"w$i\",\"\$set\":{\"a\":1}}]" http://127.0.0.1:$port/engage; done
python3 "$(dirname "$0")/flood.py" $pid $port tok 100 60
kill $pid; wait $pid 2>/dev/null || true
rm -rf "$data"
