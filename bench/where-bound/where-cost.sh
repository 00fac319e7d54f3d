#!/usr/bin/env bash
set -uo pipefail
bin=$1; port=$2
data=$(mktemp -d)
"$bin" --urls=http://127.0.0.1:$port --Storage:Path=$data --Projects:0:Name=w --Projects:0:Token=tok --Projects:0:ApiSecret=sec --Logging:LogLevel:Default=Warning > $data/server.log 2>&1 &
pid=$!
sleep 4
python3 - $port <<'PY'
import json, sys, time, urllib.request, base64
port = int(sys.argv[1])
for b in range(5):
    recs = [{"$token": "tok", "$distinct_id": f"u{b}-{i}", "$set": {"n": i, "plan": "pro"}} for i in range(2000)]
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/engage", json.dumps(recs).encode(), {"Content-Type": "application/json"})).read()
def balanced(t):
    return t[0] if len(t) == 1 else f"({balanced(t[:len(t)//2])}) or ({balanced(t[len(t)//2:])})"
auth = "Basic " + base64.b64encode(b"sec:").decode()
for terms in (100, 500):
    where = balanced([f'properties["n"] == {i}' for i in range(terms)])
    body = urllib.parse.urlencode({"where": where, "page_size": "10"}).encode()
    for run in range(3):
        start = time.monotonic()
        r = urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/api/query/engage", body, {"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"}))
        total = json.loads(r.read())["total"]
        print(f"terms={terms} chars={len(where)} total={total} seconds={time.monotonic() - start:.3f}")
PY
kill $pid; wait $pid 2>/dev/null || true
rm -rf "$data"
