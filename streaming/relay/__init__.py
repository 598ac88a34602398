"""The embedded relay: WHIP in, WHEP out, a viewer page; see `server.py`."""

from streaming.relay.server import Relay, RelayServer

__all__ = ["Relay", "RelayServer"]
