"""Two network namespaces and the impairment stage between them and this one.

    [pub ns] veth a0 10.77.x.2 ── a1 [mid ns: forwarder] b1 ── b0 10.77.x.1 [this ns]

The publisher runs in `pub` (`ip netns exec`), the relay and the viewers here; everything the
publisher sends crosses the forwarder. Or a viewer runs in `pub`, behind the forwarder's other
way (`impair(..., down=True)`), while the publisher and the other viewers stay here. Offloads are off on every veth: a forwarder that copies
frames must see real, checksummed, MTU-sized packets."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from streaming.netlab.profile import Profile


class NetlabUnavailable(Exception):
    """This machine cannot build the path (not root, no `ip`/`ethtool`)."""


def available() -> str | None:
    """None when the path can be built here, else why not (in plain words)."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return "needs Linux and root (network namespaces)"
    for tool in ("ip", "ethtool"):
        if shutil.which(tool) is None:
            return f"needs the `{tool}` command"
    return None


def _run(*args: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise NetlabUnavailable(f"{' '.join(args)}: {done.stderr.strip()[:200]}")


class ImpairedPath:
    """The namespaces and veths (`up`/`down`) and the forwarder (`impair`)."""

    def __init__(self, tag: str | None = None) -> None:
        n = (os.getpid() % 200) + 20 if tag is None else int(tag)
        self.tag = f"ld{n}"
        self.pub, self.mid = f"{self.tag}pub", f"{self.tag}mid"
        self.relay_ip, self.publisher_ip = f"10.77.{n}.1", f"10.77.{n}.2"
        self._forwarder: subprocess.Popen[str] | None = None

    def up(self) -> ImpairedPath:
        why = available()
        if why is not None:
            raise NetlabUnavailable(why)
        self.down()
        t = self.tag
        _run("ip", "netns", "add", self.pub)
        _run("ip", "netns", "add", self.mid)
        _run("ip", "link", "add", f"{t}a0", "type", "veth", "peer", "name", f"{t}a1")
        _run("ip", "link", "add", f"{t}b0", "type", "veth", "peer", "name", f"{t}b1")
        _run("ip", "link", "set", f"{t}a0", "netns", self.pub)
        _run("ip", "link", "set", f"{t}a1", "netns", self.mid)
        _run("ip", "link", "set", f"{t}b1", "netns", self.mid)
        _run("ip", "-n", self.pub, "addr", "add", f"{self.publisher_ip}/24", "dev", f"{t}a0")
        _run("ip", "addr", "add", f"{self.relay_ip}/24", "dev", f"{t}b0")
        for ns, dev in ((self.pub, "lo"), (self.pub, f"{t}a0"), (self.mid, f"{t}a1")):
            _run("ip", "-n", ns, "link", "set", dev, "up")
        _run("ip", "-n", self.mid, "link", "set", f"{t}b1", "up")
        _run("ip", "link", "set", f"{t}b0", "up")
        off = ("tx", "off", "rx", "off", "tso", "off", "gso", "off", "gro", "off")
        for ns, dev in ((self.pub, "a0"), (self.mid, "a1"), (self.mid, "b1")):
            _run("ip", "netns", "exec", ns, "ethtool", "-K", f"{t}{dev}", *off)
        _run("ethtool", "-K", f"{t}b0", *off)
        return self

    def impair(
        self, profile: Profile, status: Path | None = None, hold: bool = False, down: bool = False
    ) -> None:
        """(Re)start the forwarder with `profile`, its time line starting now (with `hold`: at
        `restart_clock`, the first step holding until then), on what `pub` sends, or with
        `down` on what it receives."""
        self.clear()
        args = ["ip", "netns", "exec", self.mid, sys.executable, "-m"]
        args += ["streaming.netlab.forwarder", f"{self.tag}a1", f"{self.tag}b1"]
        args += [json.dumps(profile.to_dict())] + ([str(status)] if status else [])
        args += ["--hold"] if hold else []
        args += ["--down"] if down else []
        self._forwarder = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        assert self._forwarder.stdout is not None
        if self._forwarder.stdout.readline().strip() != "ready":
            raise NetlabUnavailable("the impairment stage did not start")

    def restart_clock(self) -> float:
        """The running profile's time line starts again now; returns now (time.time())."""
        if self._forwarder is None:
            raise NetlabUnavailable("no impairment profile is running")
        self._forwarder.send_signal(signal.SIGUSR1)
        return time.time()

    def clear(self) -> None:
        """Stop the forwarder (the path is then cut)."""
        if self._forwarder is not None:
            self._forwarder.terminate()
            self._forwarder.wait(5)
            self._forwarder = None

    def exec_args(self) -> list[str]:
        """The prefix that runs a command on the publisher's side."""
        return ["ip", "netns", "exec", self.pub]

    def down(self) -> None:
        self.clear()
        subprocess.run(["ip", "link", "del", f"{self.tag}b0"], capture_output=True)
        for ns in (self.pub, self.mid):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
