"""Moderation filters, editable while the show runs: blocked words and users, flood control,
and the collapse keys that turn "666" ×120 into one line with a count.

Blocked words match on the compacted text (separators, full-width forms, case and traditional
characters folded away) and, for words of four or more pinyin letters, on the pinyin skeleton,
so 威信 / 薇 信 / weixin all hit a blocked 微信. Everything here runs on the pipeline's thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from app.danmaku.classify import Kind, is_emoji_only
from app.danmaku.normalize import compact, fold, pinyin_skeleton

Status = Literal["shown", "blocked_user", "blocked_word", "flood", "spam", "deleted"]

_MIN_PINYIN_MATCH = 4  # shorter pinyin ("ma", "ni") would match half of all messages
_MAX_TRACKED_USERS = 50_000
_RUNS = re.compile(r"(.+?)\1+")


@dataclass
class FilterConfig:
    """What the moderator set; journaled on every change and restored on resume."""

    blocked_words: list[str] = field(default_factory=list)
    blocked_users: list[str] = field(default_factory=list)
    flood_repeats: int = 3  # the same text from one user more often than this...
    flood_window_s: float = 30.0  # ...within this many seconds is flood
    collapse_window_s: float = 10.0  # identical messages within this window show as one line
    hide_spam: bool = True


class Filters:
    def __init__(self, config: FilterConfig | None = None) -> None:
        self.config = FilterConfig() if config is None else config
        self._word_re: re.Pattern[str] | None = None
        self._pinyin_re: re.Pattern[str] | None = None
        self._blocked_users = set(self.config.blocked_users)
        self._last_by_user: dict[str, tuple[str, int, float]] = {}
        self._compile()

    # --- live editing ---------------------------------------------------------------------
    def block_word(self, word: str) -> bool:
        word = word.strip()
        if not compact(fold(word)) or word in self.config.blocked_words:
            return False
        self.config.blocked_words.append(word)
        self._compile()
        return True

    def unblock_word(self, word: str) -> bool:
        if word not in self.config.blocked_words:
            return False
        self.config.blocked_words.remove(word)
        self._compile()
        return True

    def block_user(self, user_id: str) -> bool:
        if not user_id or user_id in self._blocked_users:
            return False
        self._blocked_users.add(user_id)
        self.config.blocked_users.append(user_id)
        return True

    def unblock_user(self, user_id: str) -> bool:
        if user_id not in self._blocked_users:
            return False
        self._blocked_users.discard(user_id)
        self.config.blocked_users.remove(user_id)
        return True

    def set_options(self, **values: float | int | bool) -> None:
        for name, value in values.items():
            if name in ("blocked_words", "blocked_users") or not hasattr(self.config, name):
                raise ValueError(f"unknown filter option: {name}")
            setattr(self.config, name, type(getattr(self.config, name))(value))

    def _compile(self) -> None:
        words = [compact(fold(w)) for w in self.config.blocked_words]
        words = [w for w in words if w]
        self._word_re = _alternation(words)
        pinyins = [pinyin_skeleton(w) for w in words]
        self._pinyin_re = _alternation([p for p in pinyins if len(p) >= _MIN_PINYIN_MATCH])

    # --- per message ------------------------------------------------------------------------
    def blocked_word(self, compacted: str, skeleton: str) -> bool:
        if self._word_re is not None and self._word_re.search(compacted):
            return True
        return self._pinyin_re is not None and self._pinyin_re.search(skeleton) is not None

    def check(
        self, user_id: str, compacted: str, skeleton: str, kind: Kind, now_s: float
    ) -> Status:
        """What happens to one danmaku: shown, or hidden and why. Hidden messages are still
        journaled (with this status), so moderation never destroys anything."""
        if user_id in self._blocked_users:
            return "blocked_user"
        if self.blocked_word(compacted, skeleton):
            return "blocked_word"
        if self._is_flood(user_id, compacted, now_s):
            return "flood"
        if kind == "spam" and self.config.hide_spam:
            return "spam"
        return "shown"

    def _is_flood(self, user_id: str, compacted: str, now_s: float) -> bool:
        last = self._last_by_user.pop(user_id, None)
        if (
            last is not None
            and last[0] == compacted
            and now_s - last[2] <= self.config.flood_window_s
        ):
            repeats = last[1] + 1
            self._last_by_user[user_id] = (compacted, repeats, last[2])
            return repeats > self.config.flood_repeats
        self._last_by_user[user_id] = (compacted, 1, now_s)
        if len(self._last_by_user) > _MAX_TRACKED_USERS:
            del self._last_by_user[next(iter(self._last_by_user))]
        return False


def collapse_key(folded: str, compacted: str, kind: Kind) -> str:
    """Messages with the same key inside the collapse window show as one line with a count:
    all emoji-only messages together, cheers by their squashed text ("6666" = "666"), anything
    else by its compacted text."""
    if is_emoji_only(folded):
        return "emoji"
    if kind == "cheer":
        return "cheer:" + _RUNS.sub(r"\1", compacted)
    return "text:" + compacted


class Collapser:
    """Remembers, per collapse key, which displayed line it went to and how many it counts."""

    def __init__(self) -> None:
        self._lines: dict[str, list[float | int]] = {}  # key -> [line id, count, last seen]
        self._swept_at = 0.0

    def add(self, key: str, line_id: int, now_s: float, window_s: float) -> tuple[int, int] | None:
        """(line id, new count) if this message joins an existing line, else None (and this
        message's own `line_id` becomes the line for its key)."""
        entry = self._lines.get(key)
        if entry is not None and now_s - entry[2] <= window_s:
            entry[1] += 1
            entry[2] = now_s
            return int(entry[0]), int(entry[1])
        self._lines[key] = [line_id, 1, now_s]
        if now_s - self._swept_at > window_s:
            self._sweep(now_s, window_s)
        return None

    def _sweep(self, now_s: float, window_s: float) -> None:
        self._lines = {k: v for k, v in self._lines.items() if now_s - v[2] <= window_s}
        self._swept_at = now_s


def _alternation(words: list[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))
