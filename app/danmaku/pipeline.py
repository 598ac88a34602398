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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.danmaku import commands
from app.danmaku.classify import KINDS, Kind, classify_folded
from app.danmaku.filters import Collapser, FilterConfig, Filters, collapse_key
from app.danmaku.journal import EventRow, Journal, JournalReader
from app.danmaku.normalize import compact, fold, pinyin_skeleton
from app.danmaku.questions import QuestionQueue, QuestionView, view
from app.danmaku.validate import Event, Validator
from app.lottery import draw
from app.lottery.entries import EntryBook
from app.lottery.live import LiveLottery, LotteryView
from app.lottery.rules import Match, Rules, RulesError
from app.sale.flash import Sale, SaleBook
from app.sale.products import Product
from streaming.interaction import moderation

SendFn = Callable[[dict[str, Any]], None]
_MAX_PENDING_LINES = 2_000  # lines waiting for the windows; older ones stay in the journal only
_QUESTIONS_EVERY_MS = 100  # the ranked queue is recomputed at most this often
_RESTORED_LINES = 300
_MAX_ANALYSED = 50_000  # distinct texts whose analysis is remembered (storms repeat a lot)
_SENDERS_LINES = 5_000  # recent lines whose senders are remembered (for "block sender")
_SENDERS_PER_LINE = 5_000
#: After the window ends, how long the draw waits for entries stamped in time but still on
#: their way from the hub.
DRAW_GRACE_MS = 1_000

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
    sales: list[Sale] | None = None
    lottery: LotteryView | None = None
    room_offset_ms: float | None = None  # room clock − this machine's clock, when known

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
        if newer.sales is not None:
            self.sales = newer.sales
        if newer.lottery is not None:
            self.lottery = newer.lottery
        if newer.room_offset_ms is not None:
            self.room_offset_ms = newer.room_offset_ms

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
            or self.sales is not None
            or self.lottery is not None
        )


class Pipeline:
    def __init__(
        self,
        journal: Journal | None = None,
        send: SendFn | None = None,
        filters: FilterConfig | None = None,
        reader: JournalReader | None = None,
        clock: Callable[[], float] | None = None,
        results_dir: Path | None = None,
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
        #: Now on the room's clock, ms (the host client's estimate; this machine's by default).
        self.clock: Callable[[], float] = clock or (lambda: time.time() * 1000)
        self.results_dir = results_dir or Path(".")
        self.sales = SaleBook()
        self.lottery: LiveLottery | None = None
        self._lottery_dirty = False

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
            out.room_offset_ms = self.clock() - time.time() * 1000  # it follows the estimate
        if self._lottery_dirty:
            self._lottery_dirty = False
            self._lottery_changed()
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
        if self.lottery is not None:
            self._entry("danmaku", e.user_id, e.user_name, e.ts, e.text)
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
            self._order(e.user_id, e.user_name, e.ts, data)
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

    def _order(self, user_id: str, user_name: str, ts: int, data: dict[str, Any]) -> None:
        """An order the hub logged: a sale's stock, and eligibility for buyers-only lotteries."""
        if self.sales.on_order(data) is not None:
            self._sales_changed()
        if self.lottery is not None:
            self._entry("order", user_id, user_name, ts, "")

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
        if self.lottery is not None:
            count = self.lottery.count_message(time.monotonic())
            if count is not None:
                self._broadcast(count)

    def notify(self, message: str) -> None:
        """Pass plain words to the windows with the next update (any thread)."""
        with self._lock:
            self._out.notices.append(message)

    def take_update(self) -> Update:
        """Everything that changed since the last call (any thread)."""
        with self._lock:
            out, self._out = self._out, Update()
        return out

    # --- commands (moderation, queue, sale and lottery actions) -----------------------------
    def command(self, action: str, args: dict[str, Any], replay: bool = False) -> None:
        """Apply one action from a window: applied, journaled as what it resolved to (unless
        `replay`ing the journal), and its effect published. Bad actions (an unknown question
        id, a sale that is not running) become a notice."""
        try:
            journal_as = self.apply(commands.parse(action, args), replay)
        except (KeyError, ValueError) as exc:
            if not replay:
                self.notify(str(exc.args[0] if exc.args else exc))
            return
        if not replay and self.journal is not None and journal_as is not None:
            self.journal.append_action(self.last_seq, journal_as.action, journal_as.args())
        self._publish_questions(force=True)

    def apply(self, cmd: commands.Command, replay: bool = False) -> commands.Command | None:
        """Run one typed command; the command to journal for it (None: nothing)."""
        match cmd:
            case commands.BlockLists(words=words, users=users):
                self._block_lists(words, users)
            case commands.BlockWord(word=word):
                if self.filters.block_word(word):
                    self._filters_changed()
            case commands.UnblockWord(word=word):
                if self.filters.unblock_word(word):
                    self._filters_changed()
            case commands.BlockUser(user_id=user_id):
                self._block_lists([], [user_id])
            case commands.UnblockUser(user_id=user_id):
                if self.filters.unblock_user(user_id):
                    self._filters_changed()
            case commands.BlockSenders(line_id=line_id, user_id=user_id):
                # Block everyone a line shows: a collapsed "666 ×820" stands for 820 senders.
                if not replay:
                    users = sorted(self._senders.get(line_id) or {user_id})
                    return self.apply(commands.BlockLists([], users))
            case commands.SetFilterOptions(options=options):
                self.filters.set_options(**options)
                self._filters_changed()
            case commands.Delete(line_id=line_id):
                if not replay and self.journal is not None:
                    self.journal.set_status(line_id, "deleted")
                with self._lock:
                    self._out.removed_lines.add(line_id)
            case commands.Pin(question_id=qid):
                entry = self.queue.pin(qid)
                self._pinned_changed(view(entry))
                if not replay:
                    self._broadcast(
                        {"v": 1, "type": "pin", "question_id": f"q{entry.id}", "text": entry.text}
                    )
            case commands.Unpin():
                pinned = self.queue.pinned
                self.queue.unpin()
                self._pinned_changed(None)
                if pinned is not None and not replay:
                    self._broadcast(
                        {"v": 1, "type": "pin", "question_id": f"q{pinned}", "text": None}
                    )
            case commands.Answer(question_id=qid):
                self._close(qid, "answered", replay)
            case commands.Dismiss(question_id=qid):
                self._close(qid, "dismissed", replay)
            case commands.Reopen(question_id=qid):
                self.queue.set_status(qid, "open")
            case commands.Merge(source_ids=source_ids, target_id=target_id):
                was_pinned = self.queue.pinned
                self.queue.merge(source_ids, target_id)
                if was_pinned is not None and self.queue.pinned is None:
                    self._pinned_changed(None)
            case commands.Bookmark():
                pass  # a moment the host marked ("上链接 #3"): only journaled, for the charts
            case commands.Hub(hub_id=hub_id):
                # A different hub run numbers its events from 1 again: continue after ours.
                if self.hub_id is not None and hub_id != self.hub_id:
                    self.seq_base = self.last_seq
                self.hub_id = hub_id
                if not replay:
                    self._send_moderation()  # a new connection may never have had the lists
            case commands.Search(query=query):
                rows = (
                    self.reader.search(query) if self.reader is not None and query.strip() else []
                )
                with self._lock:
                    self._out.searches.append((query, self.queue.search(query), rows))
            case commands.SaleStart() | commands.SaleCancel() | commands.SaleExtend():
                return self._sale(cmd, replay)
            case commands.LotteryStart() | commands.LotteryDraw():
                return self._lottery(cmd, replay)
        return cmd if cmd.journaled else None

    def _block_lists(self, words: list[str], users: list[str]) -> None:
        changed = [self.filters.block_word(w) for w in words]
        blocked = [u for u in users if self.filters.block_user(u)]
        if any(changed) or blocked:
            self._filters_changed()
            with self._lock:
                self._out.removed_users.update(blocked)

    def _broadcast(self, message: dict[str, Any]) -> None:
        if self.send is not None:
            self.send(message)

    def room_now(self) -> int:
        """Now on the room's (the hub's) clock, ms."""
        return int(self.clock())

    def _sale(self, cmd: commands.Command, replay: bool) -> commands.Command:
        now = self.room_now()
        if isinstance(cmd, commands.SaleStart):
            opens_at = cmd.opens_at if cmd.opens_at is not None else now + cmd.countdown_ms
            cmd = replace(cmd, opens_at=opens_at)
            sale = self.sales.start(
                cmd.sale_id,
                Product.from_dict(cmd.product),
                cmd.units,
                opens_at,
                cmd.per_viewer,
                opens_at if replay else now,
            )
        elif isinstance(cmd, commands.SaleCancel):
            sale = self.sales.cancel(cmd.sale_id, cmd.reason)
        else:
            assert isinstance(cmd, commands.SaleExtend)
            if cmd.opens_at is None:
                cmd = replace(cmd, opens_at=self.sales.get(cmd.sale_id).opens_at + cmd.extra_ms)
            assert cmd.opens_at is not None
            sale = self.sales.move(cmd.sale_id, cmd.opens_at, cmd.reason, None if replay else now)
        if not replay:
            self._broadcast(sale.message())
        self._sales_changed()
        return cmd

    def _sales_changed(self) -> None:
        with self._lock:
            self._out.sales = list(self.sales.sales.values())
            self._out.room_offset_ms = self.clock() - time.time() * 1000

    def _lottery(self, cmd: commands.Command, replay: bool) -> commands.Command:
        if isinstance(cmd, commands.LotteryStart):
            if self.lottery is not None and self.lottery.result is None:
                raise ValueError("a lottery is running: draw it before starting another")
            start = cmd.start_ms if cmd.start_ms is not None else self.room_now()
            seed = bytes.fromhex(cmd.seed) if cmd.seed is not None else draw.new_seed()
            cmd = replace(cmd, start_ms=start, seed=seed.hex())
            try:
                rules = Rules(
                    cmd.keyword,
                    start,
                    start + cmd.window_ms,
                    cmd.winners,
                    cmd.prize,
                    Match(cmd.match),
                    cmd.buyers_only,
                )
            except RulesError as bad:
                raise ValueError(str(bad)) from None
            book = EntryBook(rules, blocked=frozenset(self.filters.config.blocked_users))
            self.lottery = LiveLottery(cmd.lottery_id, rules, seed, book)
        else:
            assert isinstance(cmd, commands.LotteryDraw)
            live = self.lottery
            if live is None or live.id != cmd.lottery_id:
                raise ValueError(f"there is no lottery {cmd.lottery_id}")
            if not replay and self.room_now() < live.rules.end_ms + DRAW_GRACE_MS:
                raise ValueError("entries are still open: draw when the countdown has ended")
            live.draw(self.results_dir)
        if not replay and self.lottery is not None:
            self._broadcast(self.lottery.message())
            if self.lottery.result is not None:
                self._broadcast(self.lottery.result_message())
        self._lottery_changed()
        return cmd

    def _lottery_changed(self) -> None:
        if self.lottery is None:
            return
        with self._lock:
            self._out.lottery = self.lottery.view()
            self._out.room_offset_ms = self.clock() - time.time() * 1000

    def _entry(self, etype: str, user_id: str, user_name: str, ts: int, text: str) -> None:
        """Offer one event to the running lottery's entry book."""
        live = self.lottery
        if live is None or live.result is not None:
            return
        verdict = live.book.offer(
            {"type": etype, "user": {"id": user_id, "name": user_name}, "ts": ts, "text": text}
        )
        if verdict is not None:
            self._lottery_dirty = True

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

    def _close(self, question_id: int, status: Any, replay: bool) -> None:
        was_pinned = self.queue.pinned == self.queue.get(question_id).id
        self.queue.set_status(question_id, status)
        if was_pinned:
            self._pinned_changed(None)
            if not replay:
                self._broadcast(
                    {"v": 1, "type": "pin", "question_id": f"q{question_id}", "text": None}
                )

    def _pinned_changed(self, pinned: QuestionView | None) -> None:
        with self._lock:
            self._out.pinned = pinned
            self._out.pinned_changed = True

    def hub_since(self) -> int:
        """The hub seq to resume reading from (the host client's `since`)."""
        return self.last_seq - self.seq_base

    # --- resume -----------------------------------------------------------------------------
    def restore(self, reader: JournalReader) -> None:
        """Rebuild queue, filters, counters and the recent stream from a show journal (after a
        crash), without journaling anything again."""
        actions = reader.actions()
        recent: list[Line] = []
        next_action = 0
        for row in reader.events():
            seq, ts, etype, user_id, user_name, text, kind, status, qid, data = row
            while next_action < len(actions) and actions[next_action][0] < seq:
                _after, action, args = actions[next_action]
                self.command(action, args, replay=True)
                next_action += 1
            if etype == "danmaku":
                if self.lottery is not None:
                    self._entry(etype, user_id, user_name, ts, text)
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
                self._order(user_id, user_name, ts, json.loads(data or "{}"))
            self.last_seq = seq
        for _after, action, args in actions[next_action:]:
            self.command(action, args, replay=True)
        self.counters = reader.counters()
        self._filters_changed()
        self._lottery_changed()
        if self.sales.sales:
            self._sales_changed()
        with self._lock:
            self._out.lines = recent
            self._out.counters = dict(self.counters)
            if self.queue.pinned is not None:
                self._out.pinned = view(self.queue.entries[self.queue.pinned])
                self._out.pinned_changed = True
        self._publish_questions(force=True)
