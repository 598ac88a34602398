"""validate → filter → classify → cluster → journal, one hub frame (a batch of events) at a time.

`Pipeline` owns the moderation filters and the question queue and is used from ONE thread (the
worker's); the windows see its results as `Update`s (`take_update`, any thread) and change it
only through `command`, which is journaled like an event so that a resumed show replays it.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.danmaku.classify import KINDS, Kind, classify_folded
from app.danmaku.filters import Collapser, FilterConfig, Filters, collapse_key
from app.danmaku.journal import EventRow, Journal, JournalReader
from app.danmaku.normalize import compact, fold, pinyin_skeleton
from app.danmaku.questions import QuestionQueue, QuestionView, view
from app.danmaku.validate import Event, Validator
from streaming.interaction import moderation

SendFn = Callable[[dict[str, Any]], None]
_MAX_PENDING_LINES = 2_000  # lines waiting for the windows; older ones stay in the journal only
_QUESTIONS_EVERY_MS = 100  # the ranked queue is recomputed at most this often
_RESTORED_LINES = 300
_MAX_ANALYSED = 50_000  # distinct texts whose analysis is remembered (storms repeat a lot)
_SENDERS_LINES = 5_000  # recent lines whose senders are remembered (for "block sender")
_SENDERS_PER_LINE = 5_000

Analysis = tuple[str, str, str, Kind, str]
"""(folded, compacted, pinyin skeleton, kind, collapse key) of one text."""


@dataclass(slots=True)
class Line:
    """One line of the danmaku stream: a message, or a run of identical ones (`count`)."""

    id: int  # seq of the first message of the line
    ts: int
    user_id: str
    user_name: str
    text: str
    kind: Kind
    count: int = 1
    question: int | None = None
    sent_at: float | None = None
    restored: bool = False  # replayed from the journal on resume: history, not news


@dataclass
class Update:
    """What changed since the windows last looked."""

    lines: list[Line] = field(default_factory=list)
    bumps: dict[int, int] = field(default_factory=dict)  # line id -> new count
    removed_lines: set[int] = field(default_factory=set)
    removed_users: set[str] = field(default_factory=set)
    questions: list[QuestionView] | None = None
    pinned: QuestionView | None = None
    pinned_changed: bool = False
    filters: FilterConfig | None = None
    counters: dict[str, int] | None = None
    notices: list[str] = field(default_factory=list)
    searches: list[tuple[str, list[QuestionView], list[EventRow]]] = field(default_factory=list)

    def merge(self, newer: Update) -> None:
        """Fold a later update into this one (when the windows fell behind by a few)."""
        self.lines.extend(newer.lines)
        if len(self.lines) > _MAX_PENDING_LINES:
            del self.lines[:-_MAX_PENDING_LINES]
        self.bumps.update(newer.bumps)
        self.removed_lines |= newer.removed_lines
        self.removed_users |= newer.removed_users
        if newer.questions is not None:
            self.questions = newer.questions
        if newer.pinned_changed:
            self.pinned, self.pinned_changed = newer.pinned, True
        if newer.filters is not None:
            self.filters = newer.filters
        if newer.counters is not None:
            self.counters = newer.counters
        self.notices.extend(newer.notices)
        self.searches.extend(newer.searches)

    def empty(self) -> bool:
        return not (
            self.lines
            or self.bumps
            or self.removed_lines
            or self.removed_users
            or self.notices
            or self.questions is not None
            or self.pinned_changed
            or self.filters is not None
            or self.counters is not None
            or self.searches
        )


class Pipeline:
    def __init__(
        self,
        journal: Journal | None = None,
        send: SendFn | None = None,
        filters: FilterConfig | None = None,
        reader: JournalReader | None = None,
    ) -> None:
        self.validator = Validator()
        self.filters = Filters(filters)
        self.queue = QuestionQueue()
        self.collapser = Collapser()
        self.journal = journal
        self.reader = reader
        self.send = send
        self.last_seq = 0  # journal seq: hub seq + seq_base
        self.seq_base = 0  # journal seq of the last event before the current hub run
        self.hub_id: str | None = None
        self.counters: dict[str, int] = {}
        self._out = Update()
        self._lock = threading.Lock()
        self._questions_dirty = False
        self._questions_at = 0.0
        self._analysed: dict[str, Analysis] = {}
        # line id -> everyone whose message the line shows (a collapsed line has many)
        self._senders: OrderedDict[int, set[str]] = OrderedDict()

    # --- events -----------------------------------------------------------------------------
    def process(self, frames: list[str | bytes]) -> None:
        """Run a batch of raw hub frames through the pipeline and journal the result."""
        lines: list[Line] = []
        bumps: dict[int, int] = {}
        rows: list[EventRow] = []
        counters = self.counters
        for raw in frames:
            for event in self.validator.decode_frame(raw):
                event.seq += self.seq_base
                if event.seq <= self.last_seq:
                    counters["duplicate_seq"] = counters.get("duplicate_seq", 0) + 1
                    continue
                self.last_seq = event.seq
                if event.type == "danmaku":
                    self._danmaku(event, rows, lines, bumps)
                else:
                    self._other(event, rows)
        for reason, n in self.validator.rejected.items():
            counters["rejected:" + reason] = n
        for reason, n in self.validator.cleaned.items():
            counters["cleaned:" + reason] = n
        if self.journal is not None and rows:
            self.journal.append_events(rows, dict(counters))
        with self._lock:
            out = self._out
            out.lines.extend(lines)
            if len(out.lines) > _MAX_PENDING_LINES:
                del out.lines[:-_MAX_PENDING_LINES]
            out.bumps.update(bumps)
            out.counters = dict(counters)
        self._publish_questions()

    def _danmaku(
        self, e: Event, rows: list[EventRow], lines: list[Line], bumps: dict[int, int]
    ) -> None:
        folded, compacted, skeleton, kind, key = self._analyse(e.text)
        now_s = e.ts / 1000.0
        status = self.filters.check(e.user_id, compacted, skeleton, kind, now_s)
        qid = None
        if status == "shown":
            if kind == "question":
                qid = self.queue.add(e.text, folded, e.user_id, e.user_name, e.ts)
                self._questions_dirty = True
            joined = self.collapser.add(key, e.seq, now_s, self.filters.config.collapse_window_s)
            if joined is None:
                lines.append(
                    Line(e.seq, e.ts, e.user_id, e.user_name, e.text, kind, 1, qid, e.sent_at)
                )
                self._senders[e.seq] = {e.user_id}
                if len(self._senders) > _SENDERS_LINES:
                    self._senders.popitem(last=False)
            else:
                bumps[joined[0]] = joined[1]
                senders = self._senders.get(joined[0])
                if senders is not None and len(senders) < _SENDERS_PER_LINE:
                    senders.add(e.user_id)
        c = self.counters
        c["danmaku"] = c.get("danmaku", 0) + 1
        c[kind] = c.get(kind, 0) + 1
        c["status:" + status] = c.get("status:" + status, 0) + 1
        rows.append(
            (e.seq, e.ts, "danmaku", e.user_id, e.user_name, e.text, kind, status, qid, None)
        )

    def _analyse(self, text: str) -> Analysis:
        """Everything about a text that does not depend on who sent it or when, memoised:
        in a live room most messages are repeats ("666", the lottery keyword, popular
        questions), and the memo makes them cost one dict lookup."""
        found = self._analysed.get(text)
        if found is None:
            folded = fold(text)
            compacted = compact(folded)
            skeleton = pinyin_skeleton(compacted)
            kind = classify_folded(folded, compacted, skeleton)
            found = (folded, compacted, skeleton, kind, collapse_key(folded, compacted, kind))
            if len(self._analysed) >= _MAX_ANALYSED:
                self._analysed.clear()
            self._analysed[text] = found
        return found

    def _other(self, e: Event, rows: list[EventRow]) -> None:
        c = self.counters
        data = e.data or {}
        c[e.type] = c.get(e.type, 0) + 1
        if e.type == "like":
            c["likes"] = c.get("likes", 0) + int(data["count"])
        elif e.type == "gift":
            c["gift_value_fen"] = c.get("gift_value_fen", 0) + round(
                100 * data["value"] * data["count"]
            )
        elif e.type == "order":
            self._questions_dirty |= self.queue.note_order(e.user_id)
        elif e.type == "viewer_count":
            c["viewers"] = int(data["count"])
        elif e.type == "gap":
            c["lost_events"] = c.get("lost_events", 0) + int(data["to"]) - int(data["from"]) + 1
            self.notify(
                f"The hub no longer had events {data['from']}–{data['to']}; they were lost."
            )
        rows.append(
            (
                e.seq,
                e.ts,
                e.type,
                e.user_id,
                e.user_name,
                "",
                "",
                "",
                None,
                json.dumps(data, ensure_ascii=False),
            )
        )

    def _publish_questions(self, force: bool = False) -> None:
        now = time.monotonic()
        if not (
            force
            or (self._questions_dirty and (now - self._questions_at) * 1000 >= _QUESTIONS_EVERY_MS)
        ):
            return
        ranked = self.queue.ranked(int(time.time() * 1000))
        self._questions_dirty = False
        self._questions_at = now
        with self._lock:
            self._out.questions = ranked

    def tick(self, force: bool = False) -> None:
        """Publish a question ranking held back by the rate limit (idle worker), or at once
        (`force`, for tests and benches)."""
        if self._questions_dirty or force:
            self._publish_questions(force)

    def notify(self, message: str) -> None:
        """Pass plain words to the windows with the next update (any thread)."""
        with self._lock:
            self._out.notices.append(message)

    def take_update(self) -> Update:
        """Everything that changed since the last call (any thread)."""
        with self._lock:
            out, self._out = self._out, Update()
        return out

    # --- commands (moderation and queue actions) ---------------------------------------------
    def command(self, action: str, args: dict[str, Any], replay: bool = False) -> None:
        """Apply one action from a window: journaled (unless `replay`ing the journal), applied,
        and its effect published. Bad actions (an unknown question id) become a notice."""
        handler = getattr(self, "_do_" + action, None)
        if handler is None:
            raise ValueError(f"unknown action: {action}")
        try:
            handler(replay=replay, **args)
        except (KeyError, ValueError) as exc:
            if not replay:
                self.notify(str(exc.args[0] if exc.args else exc))
            return
        if not replay and self.journal is not None and action != "search":
            self.journal.append_action(self.last_seq, action, args)
        self._publish_questions(force=True)

    def _filters_changed(self) -> None:
        """Publish the lists to the windows and send them to the hub, which applies them to
        what viewers see of each other."""
        with self._lock:
            self._out.filters = FilterConfig(**vars(self.filters.config))
            self._out.filters.blocked_words = list(self.filters.config.blocked_words)
            self._out.filters.blocked_users = list(self.filters.config.blocked_users)
        self._send_moderation()

    def _send_moderation(self) -> None:
        if self.send is not None:
            self.send(moderation.message(self.filters.config))

    def _do_block_lists(self, words: list[str], users: list[str], replay: bool) -> None:
        """Add a saved or imported list (words and user ids) in one action."""
        changed = [self.filters.block_word(w) for w in words]
        blocked = [u for u in users if self.filters.block_user(u)]
        if any(changed) or blocked:
            self._filters_changed()
            with self._lock:
                self._out.removed_users.update(blocked)

    def _do_block_word(self, word: str, replay: bool) -> None:
        if self.filters.block_word(word):
            self._filters_changed()

    def _do_unblock_word(self, word: str, replay: bool) -> None:
        if self.filters.unblock_word(word):
            self._filters_changed()

    def _do_block_user(self, user_id: str, replay: bool) -> None:
        if self.filters.block_user(user_id):
            self._filters_changed()
            with self._lock:
                self._out.removed_users.add(user_id)

    def _do_unblock_user(self, user_id: str, replay: bool) -> None:
        if self.filters.unblock_user(user_id):
            self._filters_changed()

    def _do_block_senders(self, line_id: int, user_id: str, replay: bool) -> None:
        """Block everyone a line shows: a collapsed "666 ×820" stands for 820 senders. Journaled
        as the `block_lists` it resolves to (a resumed show has no senders to look up)."""
        if not replay:
            users = sorted(self._senders.get(line_id) or {user_id})
            self.command("block_lists", {"words": [], "users": users})

    def _do_set_filter_options(self, replay: bool, **options: Any) -> None:
        self.filters.set_options(**options)
        self._filters_changed()

    def _do_delete(self, line_id: int, replay: bool) -> None:
        if not replay and self.journal is not None:
            self.journal.set_status(line_id, "deleted")
        with self._lock:
            self._out.removed_lines.add(line_id)

    def _do_pin(self, question_id: int, replay: bool) -> None:
        entry = self.queue.pin(question_id)
        self._pinned_changed(view(entry))
        if not replay and self.send is not None:
            self.send({"v": 1, "type": "pin", "question_id": f"q{entry.id}", "text": entry.text})

    def _do_unpin(self, replay: bool) -> None:
        pinned = self.queue.pinned
        self.queue.unpin()
        self._pinned_changed(None)
        if pinned is not None and not replay and self.send is not None:
            self.send({"v": 1, "type": "pin", "question_id": f"q{pinned}", "text": None})

    def _do_answer(self, question_id: int, replay: bool) -> None:
        self._close(question_id, "answered", replay)

    def _do_dismiss(self, question_id: int, replay: bool) -> None:
        self._close(question_id, "dismissed", replay)

    def _do_reopen(self, question_id: int, replay: bool) -> None:
        self.queue.set_status(question_id, "open")

    def _do_merge(self, source_ids: list[int], target_id: int, replay: bool) -> None:
        was_pinned = self.queue.pinned
        self.queue.merge(source_ids, target_id)
        if was_pinned is not None and self.queue.pinned is None:
            self._pinned_changed(None)

    def _close(self, question_id: int, status: Any, replay: bool) -> None:
        was_pinned = self.queue.pinned == self.queue.get(question_id).id
        self.queue.set_status(question_id, status)
        if was_pinned:
            self._pinned_changed(None)
            if not replay and self.send is not None:
                self.send({"v": 1, "type": "pin", "question_id": f"q{question_id}", "text": None})

    def _pinned_changed(self, pinned: QuestionView | None) -> None:
        with self._lock:
            self._out.pinned = pinned
            self._out.pinned_changed = True

    def _do_bookmark(self, label: str, replay: bool) -> None:
        """A moment the host marked ("上链接 #3"): only journaled, for the insights' charts."""

    def _do_hub(self, hub_id: str, replay: bool) -> None:
        """The host client connected to a hub run. A different run numbers its events from 1
        again, so the journal continues them after the last one it holds."""
        if self.hub_id is not None and hub_id != self.hub_id:
            self.seq_base = self.last_seq
        self.hub_id = hub_id
        if not replay:
            self._send_moderation()  # a new connection: the hub may never have had the lists

    def hub_since(self) -> int:
        """The hub seq to resume reading from (the host client's `since`)."""
        return self.last_seq - self.seq_base

    def _do_search(self, query: str, replay: bool) -> None:
        rows = self.reader.search(query) if self.reader is not None and query.strip() else []
        with self._lock:
            self._out.searches.append((query, self.queue.search(query), rows))

    # --- resume -----------------------------------------------------------------------------
    def restore(self, reader: JournalReader) -> None:
        """Rebuild queue, filters, counters and the recent stream from a show journal (after a
        crash), without journaling anything again."""
        actions = reader.actions()
        recent: list[Line] = []
        next_action = 0
        for row in reader.events():
            seq, ts, etype, user_id, user_name, text, kind, status, qid, _data = row
            while next_action < len(actions) and actions[next_action][0] < seq:
                _after, action, args = actions[next_action]
                self.command(action, args, replay=True)
                next_action += 1
            if etype == "danmaku":
                if qid is not None:
                    self.queue.restore(int(qid), text, fold(text), user_id, user_name, ts)
                if status == "shown":
                    recent.append(
                        Line(
                            seq,
                            ts,
                            user_id,
                            user_name,
                            text,
                            kind if kind in KINDS else "chat",
                            1,
                            qid,
                            restored=True,
                        )
                    )
                    del recent[:-_RESTORED_LINES]
            elif etype == "order":
                self.queue.note_order(user_id)
            self.last_seq = seq
        for _after, action, args in actions[next_action:]:
            self.command(action, args, replay=True)
        self.counters = reader.counters()
        self._filters_changed()
        with self._lock:
            self._out.lines = recent
            self._out.counters = dict(self.counters)
            if self.queue.pinned is not None:
                self._out.pinned = view(self.queue.entries[self.queue.pinned])
                self._out.pinned_changed = True
        self._publish_questions(force=True)
