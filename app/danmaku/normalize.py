"""Text normal forms shared by filters, classifier and question clustering.

Viewers dodge filters with full-width letters (ｖｘ), circled digits (①③⑧), traditional
characters, separators between characters (加 V 信) and homophones (威信, 薇信). Folding all of
these once per message, with C-level `str.translate`, keeps every later step a cheap substring or
regex test.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Traditional → simplified for the characters that matter in shopping chat and contact spam.
# A full converter is not worth its weight here: homophone (pinyin) matching catches the rest.
_T2S_PAIRS = (
    "電电話话號号碼码嗎吗麼么這这個个貨货發发買买賣卖價价錢钱聯联係系們们還还當当幫帮費费領领"
    "紅红裡里請请問问適适膚肤樣样會会時时點点網网線线單单寶宝優优種种顏颜長长鏈链講讲說说對对"
    "兒儿讓让給给見见車车東东過过爲为為为愛爱歡欢樂乐紹绍體体團团輕轻羣群群群贈赠險险隻只來来獎奖"
)
_T2S = {ord(_T2S_PAIRS[i]): _T2S_PAIRS[i + 1] for i in range(0, len(_T2S_PAIRS), 2)}

# Everything that is not a letter, digit, CJK character or emoji: whitespace, punctuation and
# the separators people put between characters to break up a banned word.
_SEPARATORS = re.compile(r"[\s\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """NFKC (full-width → ASCII, ① → 1), case-folded, traditional → simplified."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_T2S)
    return text.casefold()


def compact(folded: str) -> str:
    """`fold`ed text with whitespace, punctuation and separators removed."""
    return _SEPARATORS.sub("", folded)


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[int, str]:
    """Code point → toneless pinyin of its first reading, for every character pypinyin knows.
    Built once (about 0.1 s) so that a message's pinyin is one `str.translate` call."""
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[int, str] = {}
    for code, readings in pinyin_dict.items():
        first = readings.split(",", 1)[0]
        plain = "".join(
            c for c in unicodedata.normalize("NFD", first) if not unicodedata.combining(c)
        )
        table[code] = plain.replace("ü", "v")
    return table


def pinyin_skeleton(compacted: str) -> str:
    """`compact`ed text with each Chinese character replaced by its toneless pinyin, so that
    homophones (威信, 薇信, 微信) and spelled-out pinyin (weixin) all read the same."""
    return compacted.translate(_pinyin_table())
