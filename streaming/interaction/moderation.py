"""What viewers may see of each other: the host's block lists and spam filter, applied by a hub
before fan-out.

The console sends its filter lists over the host channel as one `moderation` message (the
whole lists each time: the hub keeps no history to reconcile); `ViewerModeration` holds them
and answers, per danmaku, whether other viewers get it. The host's own stream is untouched:
the hub still logs everything for the host, whose pipeline applies the same lists to its view.

The decision uses the console's own matcher and classifier (`app.danmaku.filters`,
`app.danmaku.classify`), so a word blocked in the console is blocked on viewers' screens with
the same look-alike and pinyin folding. The analysis of a text is memoised: in a live room
most messages are repeats. Any
hub (the aiohttp one here, an edge behind NATS) can hold one of these: it needs only
`update(fields)`, `blocks_sender(user_id)` (cheap, for every message) and
`judge(user_id, text, now_s)` (tens of microseconds for a new text: for sampled lines), with
no I/O and no event loop.
"""

from __future__ import annotations

from typing import Any

from app.danmaku.classify import Kind, classify_folded
from app.danmaku.filters import FilterConfig, Filters
from app.danmaku.normalize import compact, fold, pinyin_skeleton
from streaming.interaction.rules import MAX_BLOCKED_USERS, MAX_BLOCKED_WORDS, MAX_ID, MAX_WORD

_MAX_MEMO = 50_000


def message(config: FilterConfig) -> dict[str, Any]:
    """The `moderation` message that carries `config` to a hub (what the console sends)."""
    return {
        "v": 1,
        "type": "moderation",
        "blocked_words": [w for w in config.blocked_words if len(w) <= MAX_WORD][
            :MAX_BLOCKED_WORDS
        ],
        "blocked_users": [u for u in config.blocked_users if len(u) <= MAX_ID][-MAX_BLOCKED_USERS:],
        "hide_spam": config.hide_spam,
    }


class ViewerModeration:
    """The hub's copy of the host's lists. Until a host sends any, spam is still held back
    (a room with no host connected is exactly where spammers post)."""

    def __init__(self) -> None:
        self._filters = Filters()
        self._blocked_users: frozenset[str] = frozenset()
        self._memo: dict[str, tuple[str, str, Kind]] = {}
        self.updates = 0

    def update(self, fields: dict[str, Any]) -> None:
        """Replace the lists with those of a checked `moderation` message."""
        self._filters = Filters(
            FilterConfig(
                blocked_words=list(fields["blocked_words"]),
                blocked_users=list(fields["blocked_users"]),
                hide_spam=bool(fields["hide_spam"]),
            )
        )
        self._blocked_users = frozenset(fields["blocked_users"])
        self.updates += 1

    def blocks_sender(self, user_id: str) -> bool:
        """Whether the sender is blocked: cheap enough for every message."""
        return user_id in self._blocked_users

    def allows(self, user_id: str, text: str, now_s: float) -> bool:
        """Whether other viewers may see this danmaku (blocked sender or word, flood, spam)."""
        return self.judge(user_id, text, now_s) is not None

    def judge(self, user_id: str, text: str, now_s: float) -> Kind | None:
        """The kind of a danmaku other viewers may see (their page shows questions apart from
        chatter), or None if it is withheld."""
        found = self._memo.get(text)
        if found is None:
            folded = fold(text)
            compacted = compact(folded)
            skeleton = pinyin_skeleton(compacted)
            found = (compacted, skeleton, classify_folded(folded, compacted, skeleton))
            if len(self._memo) >= _MAX_MEMO:
                self._memo.clear()
            self._memo[text] = found
        compacted, skeleton, kind = found
        shown = self._filters.check(user_id, compacted, skeleton, kind, now_s) == "shown"
        return kind if shown else None
