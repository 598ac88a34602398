"""The userspace impairment stage: bridges two interfaces frame by frame (AF_PACKET), and on
the way from `a` to `b` (or, with `--down`, from `b` to `a`: towards a viewer on `a`'s side)
puts each IPv4 UDP packet through a bottleneck queue (drop-tail), loss, delay and jitter from a
`Profile`. The way back (RTCP, STUN) only gets the delay. Everything else (ARP) passes
untouched. Linux only; needs CAP_NET_RAW (root)."""

from __future__ import annotations

import heapq
import json
import signal
import socket
import sys
import threading
import time
from pathlib import Path

from streaming.netlab.profile import Dropper, Profile, Step

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
_UDP_V4 = (b"\x08\x00", 17)


def _is_udp(frame: bytes) -> bool:
    return len(frame) > 23 and frame[12:14] == _UDP_V4[0] and frame[23] == _UDP_V4[1]


class _Direction:
    """One way through the stage: a departure schedule and the thread that keeps it."""

    def __init__(self, out: socket.socket, impaired: bool, profile: Profile, t0: float) -> None:
        self.out, self.impaired, self.profile, self.t0 = out, impaired, profile, t0
        self._heap: list[tuple[float, int, bytes]] = []
        self._count = 0
        self._free_at = 0.0  # when the bottleneck has sent everything queued
        self._last_due = 0.0
        self._cv = threading.Condition()
        self._dropper = Dropper()
        self.sent = self.dropped = self.bytes = 0
        threading.Thread(target=self._drain, daemon=True).start()

    def offer(self, frame: bytes) -> None:
        now = time.monotonic()
        step = self.profile.at(now - self.t0)
        if not _is_udp(frame):
            self._schedule(now, frame)
            return
        delay = step.delay_ms / 1000
        if self.impaired:
            if self._dropper.drop(step):
                self.dropped += 1
                return
            due = self._bottleneck(now, len(frame), step)
            if due is None:
                self.dropped += 1
                return
            jitter = step.jitter_ms / 1000
            delay += self._dropper._random.uniform(-jitter, jitter) if jitter else 0.0
            due = max(due + max(0.0, delay), self._last_due)  # jitter, never reordering
        else:
            due = now + delay
        self._last_due = due
        self._schedule(due, frame)

    def _bottleneck(self, now: float, size: int, step: Step) -> float | None:
        if step.rate_kbps <= 0:
            return now
        start = max(now, self._free_at)
        if start - now > step.queue_ms / 1000:
            return None  # the queue is full: drop-tail, as a router does
        self._free_at = start + size * 8 / (step.rate_kbps * 1000)
        return self._free_at

    def _schedule(self, due: float, frame: bytes) -> None:
        with self._cv:
            self._count += 1
            heapq.heappush(self._heap, (due, self._count, frame))
            self._cv.notify()

    def _drain(self) -> None:
        while True:
            with self._cv:
                while not self._heap:
                    self._cv.wait()
                due, _, frame = self._heap[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self._cv.wait(wait)
                    continue
                heapq.heappop(self._heap)
            try:
                self.out.send(frame)
                self.sent += 1
                self.bytes += len(frame)
            except OSError:
                pass


def _open(interface: str) -> socket.socket:
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((interface, 0))
    return sock


def _pump(source: socket.socket, direction: _Direction) -> None:
    while True:
        frame, address = source.recvfrom(65535)
        if address[2] == PACKET_OUTGOING:
            continue  # our own sends, seen again
        direction.offer(frame)


def forward(
    a: str,
    b: str,
    profile: Profile,
    status: Path | None = None,
    hold: bool = False,
    down_impaired: bool = False,
) -> None:
    """Bridge `a` ↔ `b` under `profile` until killed (it starts now: `at_s` counts from here;
    with `hold`, it stays at the first step until SIGUSR1); `a` → `b` is impaired, or `b` →
    `a` with `down_impaired`; every second, the impaired way's counters go to `status` as
    JSON."""
    sa, sb = _open(a), _open(b)
    t0 = time.monotonic() + (1e9 if hold else 0.0)
    up = _Direction(sb, not down_impaired, profile, t0)
    down = _Direction(sa, down_impaired, profile, t0)
    impaired = down if down_impaired else up
    threading.Thread(target=_pump, args=(sb, down), daemon=True).start()
    threading.Thread(target=_pump, args=(sa, up), daemon=True).start()

    def restart(_signal: int, _frame: object) -> None:
        """SIGUSR1: the profile's time line starts again now (a test starts it once the
        publisher is warm, so the drop's timing does not depend on how long start-up took)."""
        nonlocal t0
        t0 = up.t0 = down.t0 = time.monotonic()

    signal.signal(signal.SIGUSR1, restart)
    print("ready", flush=True)
    while True:
        time.sleep(1.0)
        if status is not None:
            figures = {"t": time.monotonic() - t0, "sent": impaired.sent}
            figures["dropped"] = impaired.dropped
            figures["bytes"] = impaired.bytes  # delivered the impaired way, Ethernet frames
            tmp = status.with_name(status.name + ".tmp")
            tmp.write_text(json.dumps(figures))
            tmp.replace(status)


if (
    __name__ == "__main__"
):  # python -m streaming.netlab.forwarder A B PROFILE_JSON [STATUS] [--hold] [--down]
    argv = [a for a in sys.argv if a not in ("--hold", "--down")]
    profile = Profile.from_dict(json.loads(argv[3]))
    status = Path(argv[4]) if len(argv) > 4 else None
    forward(
        argv[1],
        argv[2],
        profile,
        status,
        hold="--hold" in sys.argv,
        down_impaired="--down" in sys.argv,
    )
