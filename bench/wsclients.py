"""Many real websocket clients in one process, timing when each message arrives.

    python -m bench.wsclients WS_URL ORIGIN COUNT [SUBSCRIBE_JSON]

Opens COUNT sockets (in batches, so the server is not flooded with handshakes), sends each
the subscribe message if one is given and waits for its first message (the snapshot), then
prints `{"ready": COUNT}`. From then on every message's arrival time (time.time(), which the
publishing process reads too) is kept by seq, and `{"complete": SEQ}` is printed once every
socket has that seq. A line `stop` on stdin prints `{"results": {seq: [times]}}` and exits.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from collections import defaultdict

import websockets
from websockets.typing import Origin

BATCH = 50
_SEQ = re.compile(r'"seq":\s*(\d+)')  # cheap: this process must not be the bottleneck


def emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


class Clients:
    """The sockets and what they received."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.arrivals: dict[int, list[float]] = defaultdict(list)

    async def open(
        self, url: str, origin: str, subscribe: str | None
    ) -> websockets.ClientConnection:
        ws = await websockets.connect(url, origin=Origin(origin), max_size=None, open_timeout=120,
                                      ping_interval=None, compression=None)  # fmt: skip
        if subscribe:
            await ws.send(subscribe)
            await asyncio.wait_for(ws.recv(), timeout=300)  # the snapshot
        return ws

    async def read(self, ws: websockets.ClientConnection) -> None:
        async for raw in ws:
            arrived = time.time()
            match = _SEQ.search(raw[:200] if isinstance(raw, str) else raw[:200].decode())
            if match:
                seq = int(match.group(1))
                times = self.arrivals[seq]
                times.append(arrived)
                if len(times) == self.count:
                    emit({"complete": seq})


async def main(url: str, origin: str, count: int, subscribe: str | None) -> None:
    clients = Clients(count)
    sockets = []
    for start in range(0, count, BATCH):
        batch = range(start, min(count, start + BATCH))
        sockets += await asyncio.gather(*(clients.open(url, origin, subscribe) for _ in batch))
    readers = [asyncio.create_task(clients.read(ws)) for ws in sockets]
    emit({"ready": count})
    await asyncio.to_thread(sys.stdin.readline)
    emit({"results": {str(k): v for k, v in clients.arrivals.items()}})
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


if __name__ == "__main__":
    sub = sys.argv[4] if len(sys.argv) > 4 else None
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sub))
