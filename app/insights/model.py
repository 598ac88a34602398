"""The insights of one show and the summary figures a host's team reads from them.

`Insights` is additive: the journal reader folds each range of events it reads into it
(`add_*`), so a finished show (one range) and a running one (a range per refresh) are
aggregated by the same code. Memory is bounded by the show's length in minutes and its number
of question clusters, never by its number of events: keyword counts are pruned per minute.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MINUTE_MS = 60_000
KEYWORDS_KEPT = 60  # per minute, and overall
_PRUNE_AT = 4 * KEYWORDS_KEPT  # a counter is pruned back to KEYWORDS_KEPT at this size
MARKER_TYPES = ("product", "sale", "lottery", "countdown", "announcement")


@dataclass(slots=True)
class Minute:
    """What happened in one minute of the show."""

    messages: int = 0
    questions: int = 0
    likes: int = 0
    orders: int = 0
    viewers: int | None = None  # the highest viewer count reported in the minute


@dataclass(slots=True)
class Cluster:
    """One question as the queue filed it: every ask of it, its first wording and time."""

    id: int
    text: str
    count: int
    first_ts: int
    status: str = "open"
    answered_ts: int | None = None
    merged_into: int | None = None


@dataclass(frozen=True, slots=True)
class Marker:
    """A moment to mark on the charts: a bookmark, a product pushed (上链接), a lottery, a
    countdown (flash sale) or an announcement."""

    ts: int
    kind: str
    label: str


@dataclass(frozen=True, slots=True)
class Summary:
    """The one-page figures of a show."""

    started_ts: int | None
    ended_ts: int | None
    duration_s: float
    events: int
    messages: int
    peak_viewers: int
    questions_asked: int  # question clusters (after merges)
    questions_answered: int
    answer_rate: float | None  # answered / asked, None with no question
    median_answer_s: float | None
    likes: int
    orders: int
    order_quantity: int
    gift_value: float
    lost_events: int
    top_questions: list[tuple[str, int, str]]  # (text, asks, status)
    mentions: list[tuple[str, int]]
    orders_by_product: list[tuple[str, int, int]]  # (product, orders, quantity)
    keywords: list[tuple[str, int]]


@dataclass
class Insights:
    """Everything aggregated so far. `last_seq`/`last_action` say where the reader stopped."""

    minutes: dict[int, Minute] = field(default_factory=dict)
    clusters: dict[int, Cluster] = field(default_factory=dict)
    mentions: Counter[str] = field(default_factory=Counter)
    keywords: Counter[str] = field(default_factory=Counter)
    keyword_minutes: dict[int, Counter[str]] = field(default_factory=dict)
    products: dict[str, str] = field(default_factory=dict)  # id -> title
    orders_by_product: dict[str, list[int]] = field(default_factory=dict)  # id -> [n, qty]
    markers: list[Marker] = field(default_factory=list)
    started_ts: int | None = None
    ended_ts: int | None = None
    events: int = 0
    gift_value: float = 0.0
    lost_events: int = 0
    last_seq: int = 0
    last_action: int = 0
    _sales_marked: set[str] = field(default_factory=set)

    # --- folding in -------------------------------------------------------------------------
    def add_minute(
        self,
        minute: int,
        messages: int,
        questions: int,
        likes: int,
        orders: int,
        viewers: int | None,
    ) -> None:
        m = self.minutes.get(minute)
        if m is None:
            m = self.minutes[minute] = Minute()
        m.messages += messages
        m.questions += questions
        m.likes += likes
        m.orders += orders
        if viewers is not None:
            m.viewers = viewers if m.viewers is None else max(m.viewers, viewers)

    def add_span(self, first_ts: int, last_ts: int, events: int) -> None:
        self.started_ts = first_ts if self.started_ts is None else min(self.started_ts, first_ts)
        self.ended_ts = last_ts if self.ended_ts is None else max(self.ended_ts, last_ts)
        self.events += events

    def add_cluster(self, qid: int, text: str, count: int, first_ts: int) -> None:
        c = self.clusters.get(qid)
        if c is None:
            self.clusters[qid] = Cluster(qid, text, count, first_ts)
        else:
            c.count += count
            c.first_ts = min(c.first_ts, first_ts)

    def add_text(
        self, minute: int, count: int, mentions: tuple[str, ...], words: tuple[str, ...]
    ) -> None:
        """`count` messages of one text in `minute`, mentioning `mentions` and `words`
        (called once per distinct text and minute of the show: kept tight)."""
        if mentions:
            counts = self.mentions
            for label in mentions:
                counts[label] = counts.get(label, 0) + count
        if not words:
            return
        per_minute = self.keyword_minutes.get(minute)
        if per_minute is None:
            per_minute = self.keyword_minutes[minute] = Counter()
        total = self.keywords
        for word in words:
            per_minute[word] = per_minute.get(word, 0) + count
            total[word] = total.get(word, 0) + count
        if len(per_minute) > _PRUNE_AT:
            _prune(per_minute)
        if len(total) > _PRUNE_AT:
            _prune(total)

    def add_order(self, product_id: str, orders: int, quantity: int) -> None:
        n = self.orders_by_product.setdefault(product_id, [0, 0])
        n[0] += orders
        n[1] += quantity

    def product_label(self, product_id: str) -> str:
        """The product's title from the show's list; an order for a product the list never
        named reads "商品 #10", not a bare "10" that looks like a count."""
        return self.products.get(product_id) or f"商品 #{product_id}"

    def add_event(self, ts: int, etype: str, data: dict[str, Any]) -> None:
        """A non-message event that marks a moment or names a product."""
        if etype == "product":
            self.products[str(data.get("id", ""))] = str(data.get("title", ""))
            label = f"上链接 {data.get('title', '')}".strip()
        elif etype == "sale":  # a flash sale: marked when it opens (later broadcasts update it)
            pid, sid = str(data.get("product_id", "")), str(data.get("id", ""))
            if pid and data.get("title"):
                self.products.setdefault(pid, str(data["title"]))
            if data.get("state") != "on" or sid in self._sales_marked:
                return
            self._sales_marked.add(sid)
            label = f"秒杀 {data.get('title', '')}".strip()
        elif etype == "lottery":
            label = f"抽奖 {data.get('prize', '')}".strip()
        elif etype == "countdown":
            label = str(data.get("label", "")) or "倒计时"
        elif etype == "announcement":
            label = str(data.get("text", ""))[:40]
        elif etype == "gap":
            self.lost_events += int(data["to"]) - int(data["from"]) + 1
            return
        else:
            return
        self.markers.append(Marker(ts, etype, label))

    def add_action(self, ts: int, action: str, args: dict[str, Any]) -> None:
        """A host or assistant action from the journal: queue changes and bookmarks."""
        if action == "bookmark":
            self.markers.append(Marker(ts, "bookmark", str(args.get("label", ""))))
            return
        if action == "merge":
            target = self.clusters.get(int(args["target_id"]))
            for sid in args.get("source_ids", ()):
                source = self.clusters.get(int(sid))
                if source is not None and target is not None and source is not target:
                    source.merged_into = target.id
                    source.status = "dismissed"
            return
        cluster = self.clusters.get(int(args.get("question_id", -1)))
        if cluster is None:
            return
        if action == "answer":
            cluster.status, cluster.answered_ts = "answered", ts
        elif action == "dismiss":
            cluster.status, cluster.answered_ts = "dismissed", None
        elif action == "reopen":
            cluster.status, cluster.answered_ts = "open", None

    # --- reading ----------------------------------------------------------------------------
    def questions(self) -> list[Cluster]:
        """Question clusters after merges (a merged one's asks count in its target), most
        asked first."""
        roots: dict[int, Cluster] = {}
        for c in self.clusters.values():
            if c.merged_into is None:
                roots[c.id] = Cluster(c.id, c.text, c.count, c.first_ts, c.status, c.answered_ts)
        for c in self.clusters.values():
            root = self._root(c)
            if root is not c and root.id in roots:
                r = roots[root.id]
                r.count += c.count
                r.first_ts = min(r.first_ts, c.first_ts)
        return sorted(roots.values(), key=lambda c: (-c.count, c.first_ts))

    def _root(self, c: Cluster) -> Cluster:
        seen = 0
        while c.merged_into is not None and c.merged_into in self.clusters and seen < 64:
            c = self.clusters[c.merged_into]
            seen += 1
        return c

    def mention_labels(self) -> list[tuple[str, int]]:
        """Product mentions, most first; a product id is shown with its title."""
        out: Counter[str] = Counter()
        for label, n in self.mentions.items():
            pid = label.removesuffix("号链接")
            title = self.products.get(pid)
            if label == pid:  # matched by title, filed under the product id
                out[title or pid] += n
            else:
                out[f"{label} {title}" if title else label] += n
        return out.most_common()

    def keyword_trend(self, words: list[str]) -> dict[str, list[tuple[int, int]]]:
        """For each of `words`: (minute, count) over the show's minutes."""
        minutes = sorted(self.minutes)
        return {
            w: [(m, self.keyword_minutes.get(m, Counter()).get(w, 0)) for m in minutes]
            for w in words
        }

    def summary(self, top: int = 10) -> Summary:
        questions = self.questions()
        answered = [c for c in questions if c.status == "answered"]
        waits = [
            max(0.0, (c.answered_ts - c.first_ts) / 1000.0)
            for c in answered
            if c.answered_ts is not None
        ]
        viewers = [m.viewers for m in self.minutes.values() if m.viewers is not None]
        duration = (
            (self.ended_ts - self.started_ts) / 1000.0
            if self.started_ts is not None and self.ended_ts is not None
            else 0.0
        )
        orders = sorted(self.orders_by_product.items(), key=lambda kv: -kv[1][0])
        return Summary(
            started_ts=self.started_ts,
            ended_ts=self.ended_ts,
            duration_s=duration,
            events=self.events,
            messages=sum(m.messages for m in self.minutes.values()),
            peak_viewers=max(viewers, default=0),
            questions_asked=len(questions),
            questions_answered=len(answered),
            answer_rate=len(answered) / len(questions) if questions else None,
            median_answer_s=statistics.median(waits) if waits else None,
            likes=sum(m.likes for m in self.minutes.values()),
            orders=sum(m.orders for m in self.minutes.values()),
            order_quantity=sum(q for _n, q in self.orders_by_product.values()),
            gift_value=self.gift_value,
            lost_events=self.lost_events,
            top_questions=[(c.text, c.count, c.status) for c in questions[:top]],
            mentions=self.mention_labels()[:top],
            orders_by_product=[(self.product_label(pid), n, q) for pid, (n, q) in orders[:top]],
            keywords=self.keywords.most_common(top),
        )


def _prune(counter: Counter[str]) -> None:
    """Keep the `KEYWORDS_KEPT` most frequent words (once a counter has grown well past that),
    so that a show's keyword memory does not grow with its number of distinct messages."""
    kept = counter.most_common(KEYWORDS_KEPT)
    counter.clear()
    counter.update(dict(kept))
