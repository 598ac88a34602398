"""What one danmaku message mentions: product references ("3号链接", "链接3", a product's
title) and keywords (Chinese words, Latin size words), for the insights.

Pure and memoised per text: in a live room most messages are repeats, so a 5-million-event
show has far fewer distinct texts than messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import rjieba

from app.danmaku.normalize import compact, fold

# "3号链接", "3号", "3 号", "链接3", "3号宝贝" all name the third product of the show's list.
_LINK = re.compile(r"(?<!\d)(\d{1,3})\s*号|链接\s*(\d{1,3})(?!\d)")
# Words of every chat room that say nothing about what it wants.
_STOP_WORDS = frozenset(
    "什么 怎么 这个 那个 可以 我们 你们 他们 主播 链接 宝宝 谢谢 哈哈 哈哈哈 没有 就是 还是 一下 "
    "一个 现在 今天 我刚 大家 真的 知道 不是 是不是 有没有 能不能 多少 这么 那么".split()
)


def link_label(number: str) -> str:
    return f"{int(number)}号链接"


def link_mentions(text: str) -> tuple[str, ...]:
    """The "N号链接" labels `text` refers to, each once, in order."""
    return analyse(text)[1]


def keywords(text: str) -> tuple[str, ...]:
    """Words in `text` worth trending, each once: Chinese words of two or more characters
    (segmented by jieba) and Latin size or model words (xl, 2xl), without chat fillers."""
    return analyse(text)[2]


@lru_cache(maxsize=65_536)
def analyse(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(`text` folded without spaces, its link mentions, its keywords), all from one fold:
    the report runs this on every distinct message of a show."""
    folded = fold(text)
    links: tuple[str, ...] = ()
    if "号" in folded or "链接" in folded:
        found = [link_label(m.group(1) or m.group(2)) for m in _LINK.finditer(folded)]
        links = tuple(dict.fromkeys(found))
    words = tuple(
        dict.fromkeys(
            w
            for w in rjieba.cut(folded)
            if len(w) > 1 and w.isalnum() and not w.isdigit() and w not in _STOP_WORDS
        )
    )
    return folded.replace(" ", ""), links, words


class TitleMatcher:
    """Finds which products (by id) a message names by title; one regex for all titles."""

    def __init__(self, titles: Mapping[str, str]) -> None:
        keys = {compact(fold(title)): pid for pid, title in titles.items() if title.strip()}
        self._ids = keys
        self._pattern = (
            re.compile("|".join(map(re.escape, sorted(keys, key=len, reverse=True))))
            if keys
            else None
        )

    def __call__(self, spaceless: str) -> tuple[str, ...]:
        """Product ids named in `spaceless` (the first element of `analyse`)."""
        if self._pattern is None:
            return ()
        return tuple(dict.fromkeys(self._ids[m.group()] for m in self._pattern.finditer(spaceless)))
