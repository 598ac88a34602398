"""Decode and validate the raw text frames the hub sends the host (protocol v1).

The hub is on our side of the wire but what viewers typed is not, so every event is checked by
hand (jsonschema would cost more than the whole rest of the pipeline; a test keeps this validator
and `streaming/interaction/schema.json` in agreement). Bad frames and events are rejected, bad
text is cleaned; both are counted per reason and nothing raises.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 200  # characters of danmaku text kept after cleaning (protocol v1)
MAX_NAME = 64  # characters of a display name (the schema's limit)
_MAX_RAW_TEXT = 4 * MAX_TEXT  # longer input is cut before cleaning so cleaning stays cheap

# C0/C1 controls and DEL; bidi embeddings/overrides/isolates/marks (they reorder what the host
# reads); zero-width characters (they split banned words invisibly); lone surrogates (json.loads
# lets "\udXXX" escapes through; they cannot be encoded as UTF-8 and crash whoever tries).
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

# Field rules of every event type but danmaku (which has its own fast path), as in the schema:
# name -> (kind, required, minimum, maximum). For "str" the bounds are lengths; "str?" may also
# be null; "ids" is a list of user ids.
_Rule = tuple[str, bool, float, float]
_USER_TYPES = frozenset({"danmaku", "like", "gift", "order", "join"})
_FIELDS: dict[str, dict[str, _Rule]] = {
    "like": {"count": ("int", True, 1, 1000)},
    "gift": {
        "gift": ("str", True, 1, 64),
        "count": ("int", True, 1, 10000),
        "value": ("num", True, 0, 1e12),
    },
    "order": {
        "product_id": ("str", True, 1, 64),
        "quantity": ("int", True, 1, 10000),
        "sale": ("str", False, 0, 64),  # set by the hub for a flash sale's order
        "remaining": ("int", False, 0, 1e12),
    },
    "sale": {
        "id": ("str", True, 0, 64),
        "product_id": ("str", True, 0, 64),
        "units": ("int", True, 0, 1e12),
        "opens_at": ("int", True, 0, 1e18),
        "state": ("str", True, 0, 16),
    },
    "join": {},
    "viewer_count": {"count": ("int", True, 0, 1e12)},
    "gap": {"from": ("int", True, 1, 1e18), "to": ("int", True, 1, 1e18)},
    "pin": {"question_id": ("str", True, 0, 64), "text": ("str?", True, 0, 500)},
    "announcement": {"text": ("str", True, 0, 500)},
    "countdown": {
        "id": ("str", True, 0, 64),
        "label": ("str", True, 0, 200),
        "ends_at": ("int", True, 0, 1e18),
    },
    "lottery": {
        "id": ("str", True, 0, 64),
        "keyword": ("str", True, 0, 64),
        "prize": ("str", True, 0, 200),
        "ends_at": ("int", True, 0, 1e18),
        "winners": ("ids", False, 0, 1000),
    },
    "product": {
        "id": ("str", True, 0, 64),
        "title": ("str", True, 0, 200),
        "url": ("str", True, 0, 2000),
        "price": ("num", True, 0, 1e12),
    },
}
EVENT_TYPES = frozenset({"danmaku", *_FIELDS})


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
    """Input that does not follow the protocol; `reason` is the counter it is filed under."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Validator:
    """Turns raw hub frames into `Event`s. `rejected` counts refused frames and events per
    reason, `cleaned` counts repaired text per reason."""

    def __init__(self) -> None:
        self.rejected: Counter[str] = Counter()
        self.cleaned: Counter[str] = Counter()

    def decode_frame(self, raw: str | bytes) -> list[Event]:
        """The valid events of one frame (a JSON array of events). Bad events are counted and
        skipped; a frame that is not a JSON array yields nothing (counted)."""
        try:
            items = _load(raw)
        except Rejected as exc:
            self.rejected[exc.reason] += 1
            return []
        events = []
        for item in items:
            event = self.decode_event(item)
            if event is not None:
                events.append(event)
        return events

    def decode_event(self, obj: Any) -> Event | None:
        """One decoded JSON value as an `Event`, or None (counted) if it is not a valid event."""
        try:
            return self._event(obj)
        except Rejected as exc:
            self.rejected[exc.reason] += 1
            return None

    def _event(self, obj: Any) -> Event:
        if type(obj) is not dict:
            raise Rejected("not_object")
        v = obj.get("v")
        if v != 1 or type(v) is not int:
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
            if "sent_at" in obj:
                if type(sent_at) is not int:
                    raise Rejected("wrong_type")
                if not 0 <= sent_at <= 10**15:
                    raise Rejected("out_of_range")
            return Event(seq, ts, "danmaku", user_id, user_name, text, sent_at)
        rules = _FIELDS.get(kind) if type(kind) is str else None
        if rules is None:
            raise Rejected("unknown_type" if type(kind) is str else "wrong_type")
        user_id, user_name = self._user(obj) if kind in _USER_TYPES else ("", "")
        data = {
            name: _field(obj, name, rule) for name, rule in rules.items() if rule[1] or name in obj
        }
        return Event(seq, ts, str(kind), user_id, user_name, data=data)

    def _user(self, obj: dict[str, Any]) -> tuple[str, str]:
        user = obj.get("user")
        if type(user) is not dict:
            raise Rejected("missing_field" if user is None else "wrong_type")
        uid, name = user.get("id"), user.get("name")
        if type(uid) is not str or type(name) is not str:
            raise Rejected("missing_field" if uid is None or name is None else "wrong_type")
        if not uid or len(uid) > 64 or _BAD.search(uid):
            raise Rejected("bad_user_id")
        if len(name) > MAX_NAME:
            raise Rejected("out_of_range")  # the hub names viewers itself; longer is not from it
        return uid, self.clean(name, MAX_NAME)

    def clean(self, text: str, cap: int) -> str:
        """`text` without control, bidi, zero-width and surrogate characters (newlines and tabs
        become one space), cut to `cap` characters; each kind of fix is counted in `cleaned`."""
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


def _load(raw: str | bytes) -> list[Any]:
    if isinstance(raw, bytes | bytearray):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise Rejected("bad_utf8") from None
    try:
        items = json.loads(raw)
    except ValueError:
        raise Rejected("bad_json") from None
    except RecursionError:
        raise Rejected("too_deep") from None
    if type(items) is not list:
        raise Rejected("not_array")
    return items


def _int(obj: dict[str, Any], name: str, minimum: int) -> int:
    value = obj.get(name)
    if type(value) is not int:
        raise Rejected("missing_field" if value is None else "wrong_type")
    if value < minimum:
        raise Rejected("out_of_range")
    return value


def _field(obj: dict[str, Any], name: str, rule: _Rule) -> Any:
    kind, _required, low, high = rule
    if name not in obj:
        raise Rejected("missing_field")
    value = obj[name]
    if kind == "str?" and value is None:
        return None
    if kind == "int":
        typed = type(value) is int
        ok = typed and low <= value <= high
    elif kind == "num":
        typed = type(value) in (int, float)
        ok = typed and low <= value <= high
    elif kind in ("str", "str?"):
        typed = type(value) is str
        ok = typed and low <= len(value) <= high
    else:  # "ids"
        typed = type(value) is list and all(type(i) is str and len(i) <= 64 for i in value)
        ok = typed and len(value) <= high
    if not ok:
        raise Rejected("out_of_range" if typed else "wrong_type")
    return value
