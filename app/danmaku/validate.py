"""Decode and validate one raw text frame from the hub against protocol v1.

The hub is on our side of the wire but what viewers typed is not, so every frame is checked by
hand (jsonschema would cost more than the whole rest of the pipeline; a test keeps this validator
and `streaming/interaction/schema.json` in agreement). Bad frames are rejected, bad text is
cleaned; both are counted per reason and nothing raises.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 200  # characters of danmaku text kept after cleaning (protocol v1)
MAX_NAME = 64  # characters of a display name kept after cleaning
_MAX_RAW_TEXT = 4 * MAX_TEXT  # longer input is cut before cleaning so cleaning stays cheap

# C0/C1 controls and DEL; bidi embeddings/overrides/isolates (they reorder what the host reads);
# zero-width characters (they split banned words invisibly); lone surrogates (invalid UTF-16
# that json.loads lets through from "\udXXX" escapes and that cannot be encoded to UTF-8).
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
_ZERO_WIDTH = "\u200b-\u200d\u2060\ufeff"
_SURROGATE = "\ud800-\udfff"
_BAD = re.compile(f"[{_CONTROL}\t\n\r{_BIDI}{_ZERO_WIDTH}{_SURROGATE}]")
_REASONS = (
    ("control_chars", re.compile(f"[{_CONTROL}]")),
    ("bidi_controls", re.compile(f"[{_BIDI}]")),
    ("zero_width", re.compile(f"[{_ZERO_WIDTH}]")),
    ("surrogates", re.compile(f"[{_SURROGATE}]")),
)
_NEWLINES = re.compile("[\t\n\r]+")

VIEWER_TYPES = frozenset({"danmaku", "like", "gift", "order", "join"})
HUB_TYPES = frozenset({"viewer_count"})


@dataclass(slots=True)
class Event:
    """One validated event as the host received it. `text` is cleaned danmaku text (empty for
    other types); `data` holds the type's other fields (count, gift, value, product_id...)."""

    seq: int
    ts: int
    type: str
    user_id: str = ""
    user_name: str = ""
    text: str = ""
    sent_at: int | None = None
    data: dict[str, Any] | None = None


class Rejected(Exception):
    """A frame that does not follow the protocol; `reason` is the counter it is filed under."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Validator:
    """Turns raw frames into `Event`s. `rejected` and `cleaned` count frames per reason."""

    def __init__(self) -> None:
        self.rejected: Counter[str] = Counter()
        self.cleaned: Counter[str] = Counter()

    def decode(self, raw: str | bytes) -> Event | None:
        """The frame as an `Event`, or None (counted in `rejected`) if it is not valid."""
        try:
            return self._decode(raw)
        except Rejected as exc:
            self.rejected[exc.reason] += 1
        except (RecursionError, MemoryError):
            self.rejected["too_deep"] += 1
        return None

    def _decode(self, raw: str | bytes) -> Event:
        if isinstance(raw, bytes | bytearray):
            try:
                raw = bytes(raw).decode("utf-8")
            except UnicodeDecodeError:
                raise Rejected("bad_utf8") from None
        try:
            obj = json.loads(raw)
        except ValueError:
            raise Rejected("bad_json") from None
        if type(obj) is not dict:
            raise Rejected("not_object")
        if obj.get("v") != 1 or type(obj.get("v")) is not int:
            raise Rejected("bad_version")
        kind = obj.get("type")
        seq = _int(obj, "seq", 1)
        ts = _int(obj, "ts", 0)
        if kind == "danmaku":
            user_id, user_name = self._user(obj)
            text = obj.get("text")
            if type(text) is not str:
                raise Rejected("missing_field" if text is None else "wrong_type")
            text = self.clean(text, MAX_TEXT)
            if not text.strip():
                raise Rejected("empty_text")
            sent_at = obj.get("sent_at")
            if sent_at is not None and (type(sent_at) is not int or sent_at < 0):
                raise Rejected("wrong_type")
            return Event(seq, ts, kind, user_id, user_name, text, sent_at)
        if kind in VIEWER_TYPES:
            user_id, user_name = self._user(obj)
            return Event(seq, ts, kind, user_id, user_name, data=_fields(kind, obj))
        if kind in HUB_TYPES:
            return Event(seq, ts, kind, data={"count": _int(obj, "count", 0)})
        raise Rejected("unknown_type" if type(kind) is str else "wrong_type")

    def _user(self, obj: dict[str, Any]) -> tuple[str, str]:
        user = obj.get("user")
        if type(user) is not dict:
            raise Rejected("missing_field" if user is None else "wrong_type")
        uid, name = user.get("id"), user.get("name")
        if type(uid) is not str or type(name) is not str:
            raise Rejected("missing_field" if uid is None or name is None else "wrong_type")
        if not uid or len(uid) > 128 or _BAD.search(uid):
            raise Rejected("bad_user_id")
        return uid, self.clean(name, MAX_NAME)

    def clean(self, text: str, cap: int) -> str:
        """`text` without control, bidi, zero-width and surrogate characters (newlines and tabs
        become one space), cut to `cap` characters; each fix is counted in `cleaned`."""
        if len(text) > _MAX_RAW_TEXT:
            text = text[:_MAX_RAW_TEXT]
        if _BAD.search(text) is not None:
            text = _NEWLINES.sub(" ", text)
            for reason, pattern in _REASONS:
                text, n = pattern.subn("", text)
                if n:
                    self.cleaned[reason] += 1
        if len(text) > cap:
            text = text[:cap]
            self.cleaned["truncated"] += 1
        return text


def _int(obj: dict[str, Any], name: str, minimum: int) -> int:
    value = obj.get(name)
    if type(value) is not int:
        raise Rejected("missing_field" if value is None else "wrong_type")
    if value < minimum:
        raise Rejected("out_of_range")
    return value


def _number(obj: dict[str, Any], name: str) -> float:
    value = obj.get(name)
    if type(value) not in (int, float):
        raise Rejected("missing_field" if value is None else "wrong_type")
    if not 0 <= value < 1e9:
        raise Rejected("out_of_range")
    return float(value)


def _str(obj: dict[str, Any], name: str) -> str:
    value = obj.get(name)
    if type(value) is not str:
        raise Rejected("missing_field" if value is None else "wrong_type")
    if not value or len(value) > 128:
        raise Rejected("out_of_range")
    return value


def _fields(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    if kind == "like":
        return {"count": _int(obj, "count", 1)}
    if kind == "gift":
        return {"gift": _str(obj, "gift"), "count": _int(obj, "count", 1), "value": _number(obj, "value")}
    if kind == "order":
        return {"product_id": _str(obj, "product_id"), "quantity": _int(obj, "quantity", 1)}
    return {}
