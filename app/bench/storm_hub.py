"""A hub in its own process for the storm benches, which asks it how far its log has come.

`bench lottery` used to serve its hub from a thread of the process that also runs the Qt panel
and the stall probe: the hub's parsing and the GUI then shared one interpreter lock, and the
hub's figure was also the GUI's. Here the hub has a process (and a core, when there is one)
to itself. Started with `app.frozen.module_command("app.bench.storm_hub", ...)`; prints
`{"url": ..., "port": ...}`, then answers each line on stdin with one line of `stats()` JSON,
and exits when stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

from streaming.interaction.hub import HubLimits, InteractionHub
from streaming.interaction.serve import start_site


async def _serve(token: str, limits: HubLimits) -> None:
    hub = InteractionHub(token, limits)
    runner, port = await start_site(hub)
    print(json.dumps({"url": f"ws://127.0.0.1:{port}", "port": port}), flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while await reader.readline():
            sys.stdout.write(json.dumps(hub.stats()) + "\n")
            sys.stdout.flush()
    finally:
        await hub.close()
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A load-test hub that reports its stats.")
    parser.add_argument("--log-size", type=int, default=HubLimits.log_size)
    args = parser.parse_args(argv)
    limits = HubLimits(
        viewer_rate=10**7, viewer_burst=10**7, log_size=args.log_size, log_max_bytes=2**30
    ).for_load_test()
    asyncio.run(_serve(os.environ.get("LIVEDESK_HUB_TOKEN", "bench"), limits))
    return 0


if __name__ == "__main__":
    sys.exit(main())
