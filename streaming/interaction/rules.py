"""Cheap shape checks for events entering the hub, shared by the hub and the host client.

The hub must keep up with 10,000 msg/s in one process, so these checks look only at type, size
and shape and copy the allowed fields; the console's danmaku pipeline does the full validation
(cleaning, control characters, bidi, truncation). The JSON Schema in `schema.json` says the same
in a machine-readable form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Error codes the hub sends back in `error` control messages (docs/interaction-protocol.md).
BAD_JSON = "bad_json"
BINARY = "binary"
TOO_BIG = "too_big"
BAD_TYPE = "bad_type"
BAD_FIELD = "bad_field"
RATE_LIMITED = "rate_limited"

MAX_TEXT = 500
MAX_ID = 64
MAX_WORD = 64
MAX_BLOCKED_WORDS = 2_000
MAX_BLOCKED_USERS = 10_000


class ProtocolError(ValueError):
    """A frame the hub refuses; `code` is one of the protocol's error codes."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _str(
    obj: dict[str, Any], key: str, max_len: int, *, empty: bool = True, null: bool = False
) -> Any:
    value = obj.get(key)
    if value is None and null and key in obj:
        return None
    if type(value) is not str:
        raise ProtocolError(BAD_FIELD, f"'{key}' must be text")
    if len(value) > max_len:
        raise ProtocolError(BAD_FIELD, f"'{key}' is longer than {max_len} characters")
    if not empty and not value:
        raise ProtocolError(BAD_FIELD, f"'{key}' is empty")
    return value


def _int(obj: dict[str, Any], key: str, lo: int, hi: int) -> int:
    value = obj.get(key)
    if type(value) is not int or not lo <= value <= hi:
        raise ProtocolError(BAD_FIELD, f"'{key}' must be a whole number from {lo} to {hi}")
    return value


def _num(obj: dict[str, Any], key: str, lo: float, hi: float) -> float:
    value: Any = obj.get(key)
    if type(value) not in (int, float) or not lo <= value <= hi:
        raise ProtocolError(BAD_FIELD, f"'{key}' must be a number from {lo} to {hi}")
    return value


def _danmaku(obj: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {"text": _str(obj, "text", MAX_TEXT, empty=False)}
    if "sent_at" in obj:
        fields["sent_at"] = _int(obj, "sent_at", 0, 10**15)
    return fields


def _like(obj: dict[str, Any]) -> dict[str, Any]:
    return {"count": _int(obj, "count", 1, 1000)}


def _gift(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "gift": _str(obj, "gift", MAX_ID, empty=False),
        "count": _int(obj, "count", 1, 10_000),
        "value": _num(obj, "value", 0, 1e9),
    }


def _order(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "product_id": _str(obj, "product_id", MAX_ID, empty=False),
        "quantity": _int(obj, "quantity", 1, 10_000),
    }


def _pin(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "question_id": _str(obj, "question_id", MAX_ID),
        "text": _str(obj, "text", MAX_TEXT, null=True),
    }


def _announcement(obj: dict[str, Any]) -> dict[str, Any]:
    return {"text": _str(obj, "text", MAX_TEXT)}


def _countdown(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _str(obj, "id", MAX_ID),
        "label": _str(obj, "label", 200),
        "ends_at": _int(obj, "ends_at", 0, 10**15),
    }


def _lottery(obj: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": _str(obj, "id", MAX_ID),
        "keyword": _str(obj, "keyword", MAX_ID),
        "prize": _str(obj, "prize", 200),
        "ends_at": _int(obj, "ends_at", 0, 10**15),
    }
    if "winners" in obj:
        winners = obj["winners"]
        if (
            type(winners) is not list
            or len(winners) > 1000
            or not all(type(w) is str and len(w) <= MAX_ID for w in winners)
        ):
            raise ProtocolError(BAD_FIELD, "'winners' must be a list of up to 1000 user ids")
        fields["winners"] = winners
    # The draw's proofs (app/lottery/draw.py): hex digests and the revealed seed, and the count.
    for key in ("commitment", "entrant_digest", "seed"):
        if key in obj:
            fields[key] = _str(obj, key, 128)
    if "entrant_count" in obj:
        fields["entrant_count"] = _int(obj, "entrant_count", 0, 10**9)
    return fields


def _lottery_result(obj: dict[str, Any]) -> dict[str, Any]:
    """A drawn lottery's result file (app/lottery/result.py), for the hub to serve as is:
    its content is checked by whoever runs `livedesk lottery verify` on it, not here."""
    result = obj.get("result")
    if type(result) is not dict or type(result.get("format")) is not str:
        raise ProtocolError(BAD_FIELD, "'result' must be a lottery result object")
    return {"id": _str(obj, "id", MAX_ID), "result": result}


def _product(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _str(obj, "id", MAX_ID),
        "title": _str(obj, "title", 200),
        "url": _str(obj, "url", 2000),
        "price": _num(obj, "price", 0, 1e9),
    }


def _strings(obj: dict[str, Any], key: str, max_items: int, max_len: int) -> list[str]:
    value = obj.get(key, [])
    if (
        type(value) is not list
        or len(value) > max_items
        or not all(type(v) is str and 0 < len(v) <= max_len for v in value)
    ):
        raise ProtocolError(
            BAD_FIELD,
            f"'{key}' must be a list of up to {max_items} non-empty texts of up to "
            f"{max_len} characters",
        )
    return list(value)


def _moderation(obj: dict[str, Any]) -> dict[str, Any]:
    """The host's block lists for what viewers see of each other (`moderation.py`): a
    control message for the hub, never broadcast."""
    hide_spam = obj.get("hide_spam", True)
    if type(hide_spam) is not bool:
        raise ProtocolError(BAD_FIELD, "'hide_spam' must be true or false")
    return {
        "blocked_words": _strings(obj, "blocked_words", MAX_BLOCKED_WORDS, MAX_WORD),
        "blocked_users": _strings(obj, "blocked_users", MAX_BLOCKED_USERS, MAX_ID),
        "hide_spam": hide_spam,
    }


def _sale(obj: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": _str(obj, "id", MAX_ID, empty=False),
        "product_id": _str(obj, "product_id", MAX_ID, empty=False),
        "title": _str(obj, "title", 200),
        "price": _num(obj, "price", 0, 1e9),
        "flash_price": _num(obj, "flash_price", 0, 1e9),
        "units": _int(obj, "units", 0, 10_000_000),
        "opens_at": _int(obj, "opens_at", 0, 10**15),
        "link": _str(obj, "link", 2000),
        "per_viewer": _int(obj, "per_viewer", 1, 10_000) if "per_viewer" in obj else 1,
        "state": obj.get("state", "on"),
        "reason": _str(obj, "reason", 200) if "reason" in obj else "",
    }
    if fields["state"] not in ("on", "cancelled"):
        raise ProtocolError(BAD_FIELD, '\'state\' must be "on" or "cancelled"')
    return fields


#: A clock exchange (control message, answered at once, never logged): see `clock.py`.
TIME = "time"


def _time(obj: dict[str, Any]) -> dict[str, Any]:
    return {"t0": _num(obj, "t0", 0, 1e16)}


Rule = Callable[[dict[str, Any]], dict[str, Any]]
VIEWER_RULES: dict[str, Rule] = {
    "danmaku": _danmaku,
    "like": _like,
    "gift": _gift,
    "order": _order,
    TIME: _time,
}
HOST_RULES: dict[str, Rule] = {
    TIME: _time,
    "pin": _pin,
    "announcement": _announcement,
    "countdown": _countdown,
    "lottery": _lottery,
    "product": _product,
    "sale": _sale,
}
# Host messages for the hub itself: applied, neither logged nor broadcast.
HOST_CONTROL: dict[str, Rule] = {"moderation": _moderation, "lottery_result": _lottery_result}
HOST_SEND: dict[str, Rule] = {**HOST_RULES, **HOST_CONTROL}


def check(obj: Any, rules: dict[str, Rule]) -> tuple[str, dict[str, Any]]:
    """(type, allowed fields) of a decoded frame, or ProtocolError saying what is wrong."""
    if type(obj) is not dict:
        raise ProtocolError(BAD_JSON, "a frame must be one JSON object")
    kind: Any = obj.get("type")
    rule = rules.get(kind) if type(kind) is str else None
    if rule is None:
        allowed = ", ".join(rules)
        raise ProtocolError(BAD_TYPE, f"unknown or not allowed type {kind!r}; allowed: {allowed}")
    if obj.get("v", 1) != 1:
        raise ProtocolError(BAD_FIELD, "unsupported protocol version; this hub speaks v 1")
    return kind, rule(obj)
