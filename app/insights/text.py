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
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9]+|\d+[a-z]+")
# Words of every chat room that say nothing about what it wants.
_STOP_WORDS = frozenset(
    "什么 怎么 这个 那个 可以 我们 你们 他们 主播 链接 宝宝 谢谢 哈哈 哈哈哈 没有 就是 还是 一下 "
    "一个 现在 今天 我刚 大家 真的 知道 不是 是不是 有没有 能不能 多少 这么 那么".split()
)


def link_label(number: str) -> str:
    return f"{int(number)}号链接"


@lru_cache(maxsize=65_536)
def link_mentions(text: str) -> tuple[str, ...]:
    """The "N号链接" labels `text` refers to, each once, in order."""
    found: list[str] = []
    for match in _LINK.finditer(fold(text)):
        label = link_label(match.group(1) or match.group(2))
        if label not in found:
            found.append(label)
    return tuple(found)


def title_mentions(text: str, titles: Mapping[str, str]) -> tuple[str, ...]:
    """Products (by id) whose folded, compacted title (`titles`: id -> that key) occurs in
    `text`."""
    key = compact(fold(text))
    return tuple(pid for pid, title in titles.items() if title and title in key)


def title_key(title: str) -> str:
    """How a product title is matched against messages (see `title_mentions`)."""
    return compact(fold(title))


@lru_cache(maxsize=65_536)
def keywords(text: str) -> tuple[str, ...]:
    """Words in `text` worth trending, each once: Chinese words of two or more characters
    (segmented by jieba) and Latin size or model words (xl, 2xl), without chat fillers."""
    found: dict[str, None] = {}
    for word in rjieba.cut(fold(text)):
        if len(word) < 2 or word in _STOP_WORDS:
            continue
        if _CJK.match(word) or _LATIN_WORD.fullmatch(word):
            found[word] = None
    return tuple(found)
