"""The question queue: every question, clustered so that the same question asked by many viewers
in different words becomes one entry with a count and its askers.

Clustering is a token-set (Jaccard) similarity over a cheap signature — Chinese characters
and character bigrams, Latin words of the message with fillers ("请问", "主播", "吗") removed, plus its
numbers, which must match exactly ("3号链接" is not "5号链接"). An inverted index from token to
entries keeps each lookup to a handful of candidates, so clustering stays a few microseconds
per question at any queue size. Nothing asked is lost: answered and dismissed entries stay in
memory (up to a cap) and in the journal, and both are searchable.
"""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass, field
from typing import Literal

from app.danmaku.normalize import fold

QuestionStatus = Literal["open", "pinned", "answered", "dismissed"]

SIMILARITY = 0.5  # Jaccard of signatures at or above which two questions are the same
_MAX_POSTING = 200  # a token in more entries than this is too common to find candidates by
_MAX_CANDIDATES = 24
_MAX_ASKERS_KEPT = 200  # names kept per entry (the count covers everyone)
_MAX_VARIANTS = 12
_MAX_ENTRIES = 20_000  # oldest entries beyond this leave memory (still in the journal)
_MAX_REMEMBERED_TEXTS = 50_000
_VIEW_ASKERS = 20  # asker names a window shows per entry

_FILLERS = re.compile(
    r"请问|问一下|问下|想问|主播|宝宝|宝贝|姐姐|小姐姐|老师|家人们|亲们|亲|你好|您好|麻烦|"
    r"一下|这个|那个|这款|那款|我想|我要|想要|求|吗|呢|吧|啊|呀|哦|嘛|的|了|不|"
    r"[\s\W_]+"
)
_SYNONYMS = (
    (re.compile(r"尺码|码数|多大码|几码|哪个码|什么号|多大号"), "什么码"),
    (re.compile(r"链接|连接"), ""),
    (re.compile(r"适合|适用|可以用|能不能用|可不可以用|能用"), "能用"),
    (re.compile(r"可以|能不能|可不可以|能否"), "能"),
    (re.compile(r"讲解|讲讲|介绍|说说"), "讲"),
    (re.compile(r"几点|什么时候|啥时候|何时"), "时间"),
)
_NUMBER = re.compile(r"\d+")
_LATIN = re.compile(r"[a-z]+")
_EN_STOP = frozenset(
    "a an the is are do does did can could will would should i you it this that to of for in on "
    "me my your please pls any there be with and or what how".split()
)


def signature(folded: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """(tokens, numbers) of a folded question: what clustering compares."""
    numbers = tuple(_NUMBER.findall(folded))
    words = [w.rstrip("s") or w for w in _LATIN.findall(folded) if w not in _EN_STOP]
    core = _LATIN.sub("", _NUMBER.sub("", folded))
    for pattern, replacement in _SYNONYMS:
        core = pattern.sub(replacement, core)
    core = _FILLERS.sub("", core)
    tokens = set(core) | {core[i : i + 2] for i in range(len(core) - 1)}
    tokens.update(words)
    return frozenset(tokens), numbers


@dataclass
class Question:
    """One queue entry. `askers` maps user id → name for the first askers (capped);
    `count` counts every ask."""

    id: int
    text: str
    first_ts: int
    last_ts: int
    count: int = 1
    askers: dict[str, str] = field(default_factory=dict)
    variants: list[str] = field(default_factory=list)
    status: QuestionStatus = "open"
    ordered: bool = False
    tokens: frozenset[str] = frozenset()
    numbers: tuple[str, ...] = ()
    merged_into: int | None = None

    def score(self, now_ms: int) -> float:
        """Rank: many askers, asked recently, asked by someone who bought."""
        recency = math.exp(-(now_ms - self.last_ts) / 120_000.0)
        return (
            2.0 * math.log2(1 + len(self.askers)) + 2.0 * recency + (3.0 if self.ordered else 0.0)
        )


@dataclass(frozen=True, slots=True)
class QuestionView:
    """An immutable copy of an entry for the windows (they run on another thread); `askers`
    holds the first few names, `count` counts every ask."""

    id: int
    text: str
    count: int
    askers: tuple[str, ...]
    first_ts: int
    last_ts: int
    status: QuestionStatus
    ordered: bool
    variants: tuple[str, ...]


class QuestionQueue:
    def __init__(self) -> None:
        self.entries: dict[int, Question] = {}
        # numbers -> token -> entry ids: numbers must match exactly, so they partition the index
        self._index: dict[tuple[str, ...], dict[str, list[int]]] = {}
        self._by_user: dict[str, list[int]] = {}
        self._ordered_users: set[str] = set()
        self._next_id = 1
        self._by_text: dict[str, int] = {}  # folded text -> entry it was filed in
        self.pinned: int | None = None

    # --- adding -----------------------------------------------------------------------------
    def add(self, text: str, folded: str, user_id: str, user_name: str, ts: int) -> int:
        """File one question; the id of the entry it joined or started. The same wording always
        lands in the same entry (remembered, so repeats skip the similarity search)."""
        qid = self._by_text.get(folded)
        entry = self.entries.get(qid) if qid is not None else None
        if entry is not None:
            while entry.merged_into is not None:
                entry = self.entries[entry.merged_into]
        else:
            tokens, numbers = signature(folded)
            entry = self._find(tokens, numbers)
            if entry is None:
                entry = self._create(self._next_id, text, tokens, numbers, ts)
            if len(self._by_text) >= _MAX_REMEMBERED_TEXTS:
                self._by_text.clear()
            self._by_text[folded] = entry.id
        self._join(entry, text, user_id, user_name, ts)
        return entry.id

    def restore(
        self, qid: int, text: str, folded: str, user_id: str, user_name: str, ts: int
    ) -> None:
        """Re-file a journaled question into the entry it was filed in before (resume)."""
        entry = self.entries.get(qid)
        if entry is None:
            tokens, numbers = signature(folded)
            entry = self._create(qid, text, tokens, numbers, ts)
        self._join(entry, text, user_id, user_name, ts)

    def _create(
        self, qid: int, text: str, tokens: frozenset[str], numbers: tuple[str, ...], ts: int
    ) -> Question:
        entry = Question(qid, text, ts, ts, count=0, tokens=tokens, numbers=numbers)
        self.entries[qid] = entry
        self._next_id = max(self._next_id, qid + 1)
        index = self._index.setdefault(numbers, {})
        for token in tokens:
            index.setdefault(token, []).append(qid)
        if len(self.entries) > _MAX_ENTRIES:
            self._evict()
        return entry

    def _join(self, entry: Question, text: str, user_id: str, user_name: str, ts: int) -> None:
        entry.count += 1
        entry.last_ts = max(entry.last_ts, ts)
        if len(entry.askers) < _MAX_ASKERS_KEPT:
            entry.askers.setdefault(user_id, user_name)
        if (
            len(entry.variants) < _MAX_VARIANTS
            and text not in entry.variants
            and text != entry.text
        ):
            entry.variants.append(text)
        if user_id in self._ordered_users:
            entry.ordered = True
        asked = self._by_user.setdefault(user_id, [])
        if entry.id not in asked:
            asked.append(entry.id)
            del asked[:-8]

    def _find(self, tokens: frozenset[str], numbers: tuple[str, ...]) -> Question | None:
        index = self._index.get(numbers)
        if index is None:
            return None
        shared: dict[int, int] = {}
        for token in tokens:
            posting = index.get(token)
            if posting is None or len(posting) > _MAX_POSTING:
                continue
            for qid in posting:
                shared[qid] = shared.get(qid, 0) + 1
        best, best_sim = None, SIMILARITY
        for qid, n in heapq.nlargest(_MAX_CANDIDATES, shared.items(), key=lambda kv: kv[1]):
            entry = self.entries.get(qid)
            if entry is None:
                continue
            while entry.merged_into is not None:
                entry = self.entries[entry.merged_into]
            sim = n / (len(tokens) + len(entry.tokens) - n)
            if sim >= best_sim:
                best, best_sim = entry, sim
        return best

    def _evict(self) -> None:
        """Drop the least recently asked tenth of the closed (then any unpinned) entries."""
        victims = sorted(
            (e for e in self.entries.values() if e.id != self.pinned),
            key=lambda e: (e.status == "open", e.last_ts),
        )[: _MAX_ENTRIES // 10]
        for entry in victims:
            del self.entries[entry.id]
        gone = {e.id for e in victims}
        for numbers, token in {(e.numbers, t) for e in victims for t in e.tokens}:
            index = self._index.get(numbers, {})
            kept = [q for q in index.get(token, ()) if q not in gone]
            if kept:
                index[token] = kept
            else:
                index.pop(token, None)
                if not index:
                    self._index.pop(numbers, None)

    # --- orders -----------------------------------------------------------------------------
    def note_order(self, user_id: str) -> bool:
        """A viewer bought something: their questions rank higher. True if any entry changed."""
        self._ordered_users.add(user_id)
        changed = False
        for qid in self._by_user.get(user_id, ()):
            entry = self.entries.get(qid)
            if entry is not None and not entry.ordered:
                entry.ordered = changed = True
        return changed

    # --- actions ----------------------------------------------------------------------------
    def get(self, qid: int) -> Question:
        try:
            entry = self.entries[qid]
        except KeyError:
            raise KeyError(f"no question #{qid} in the queue") from None
        while entry.merged_into is not None:
            entry = self.entries[entry.merged_into]
        return entry

    def pin(self, qid: int) -> Question:
        entry = self.get(qid)
        self.unpin()
        entry.status = "pinned"
        self.pinned = entry.id
        return entry

    def unpin(self) -> None:
        if self.pinned is not None and self.pinned in self.entries:
            self.entries[self.pinned].status = "open"
        self.pinned = None

    def set_status(self, qid: int, status: QuestionStatus) -> Question:
        """Mark answered / dismissed, or re-open."""
        entry = self.get(qid)
        if entry.id == self.pinned:
            self.pinned = None
        entry.status = status
        return entry

    def merge(self, source_ids: list[int], target_id: int) -> Question:
        """Fold other entries into `target_id`: counts, askers and wording join it, and later
        questions that match a source's signature land in the target."""
        target = self.get(target_id)
        for sid in source_ids:
            source = self.get(sid)
            if source.id == target.id:
                continue
            target.count += source.count
            target.last_ts = max(target.last_ts, source.last_ts)
            target.first_ts = min(target.first_ts, source.first_ts)
            target.ordered = target.ordered or source.ordered
            for uid, name in source.askers.items():
                if len(target.askers) < _MAX_ASKERS_KEPT:
                    target.askers.setdefault(uid, name)
            for text in [source.text, *source.variants]:
                if len(target.variants) < _MAX_VARIANTS and text not in target.variants:
                    target.variants.append(text)
            source.merged_into = target.id
            source.status = "dismissed"
            if self.pinned == source.id:
                self.pinned = None
        return target

    # --- reading ----------------------------------------------------------------------------
    def ranked(self, now_ms: int, limit: int = 200) -> list[QuestionView]:
        """Pinned first, then open entries by score."""
        live = [
            e
            for e in self.entries.values()
            if e.status in ("open", "pinned") and e.merged_into is None
        ]
        top = heapq.nsmallest(limit, live, key=lambda e: (e.status != "pinned", -e.score(now_ms)))
        return [view(e) for e in top]

    def search(self, query: str, limit: int = 200) -> list[QuestionView]:
        """Entries of any status whose wording contains `query`, newest first."""
        needle = fold(query).strip()
        if not needle:
            return []
        hits = [
            e
            for e in self.entries.values()
            if e.merged_into is None and any(needle in fold(t) for t in (e.text, *e.variants))
        ]
        hits.sort(key=lambda e: -e.last_ts)
        return [view(e) for e in hits[:limit]]


def view(entry: Question) -> QuestionView:
    return QuestionView(
        entry.id,
        entry.text,
        entry.count,
        tuple(list(entry.askers.values())[:_VIEW_ASKERS]),
        entry.first_ts,
        entry.last_ts,
        entry.status,
        entry.ordered,
        tuple(entry.variants),
    )
