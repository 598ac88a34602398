"""question / spam / cheer / chat for Chinese and English danmaku, by rules and a small lexicon.

A model would need training data we do not have at show scale; these rules were written against
the dev half of tests/data/danmaku_labelled.jsonl and are scored on the held-out half. They run
on the folded forms from `normalize` and cost a few microseconds per message.

Order matters: spam first (a spammer's "加我吗" is not a question), then cheer (a whole message
made of cheer tokens or emoji), then question, else chat.
"""

from __future__ import annotations

import re
from typing import Literal

from app.danmaku.normalize import compact, fold, pinyin_skeleton

Kind = Literal["question", "spam", "cheer", "chat"]
KINDS: tuple[Kind, ...] = ("question", "spam", "cheer", "chat")

# --- spam ------------------------------------------------------------------------------------
_URL = re.compile(
    r"https?://|www\.|\bt\.me/|\bbit\.ly\b|\bt\.cn/|"
    r"\b[a-z0-9-]{2,}\s*(?:\.|\bdot\b|点)\s*(?:com|cn|net|top|xyz|ly|me|io|org|shop|vip|cc|co)\b"
)
# Contact channels, in three spellings: Chinese (on the compacted text), pinyin (on the pinyin
# skeleton, where 微信/威信/薇信/weixin all read the same) and Latin words (on the folded text,
# where Latin word boundaries survive; CJK next to a Latin word is a boundary too).
_CONTACT_PY = re.compile(r"weixin|vxin|koukou|qiee|dianhua|shoujihao|huixin|jiav|jiaq|jiawei")
_CONTACT_EN = re.compile(
    r"(?<![a-z])(?:vx|wx|v|q|qq|wechat|whatsapp|telegram|snapchat|wa|dm|tg|line id)(?![a-z])"
)
_CONTACT_ZH = re.compile(
    r"加[微薇威v]|[微薇威徽]信|亻言|[扣口]扣|企鹅|群号|电话|手机号|[加扣]\s*q|私[聊我信]|加我|加好友"
)
# A plus sign or an emoji standing for a contact channel ("+微", 🐧 for QQ), seen on the folded
# text because compacting removes them.
_CONTACT_SYM = re.compile(r"[+＋]\s*[微薇威卫vq]|🐧|☎|📞")
# One contact character glued to a handle once separators are gone: "威❤: abc123" → 威abc123.
_CONTACT_HANDLE = re.compile(r"(?:[微薇威卫徽扣蔻]|v(?!ip)|q)(?:[a-z][a-z0-9_]{2,}\d{2}|\d{5,})")
# A mainland mobile number, however it is spaced or spelt (一三八…, ①③⑧…).
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# Pointing viewers at the spammer's own profile is spam whatever else the message says.
_SELF_PROMO = re.compile(
    r"[看点进]我?的?(?:头像|主页|简介|作品|签名)|我的?(?:头像|主页|简介|作品|签名)|"
    r"(?:主页|签名|简介|头像)(?:有|里|见)|隐藏券|¥[a-z0-9]{5,}¥|"
    r"follow back|link in bio|in my bio|check my profile"
)
# Things only spammers sell (2 points: enough on their own) or that spammers say often (1 point).
_PROMO_STRONG = re.compile(
    r"兼职|刷单|日赚|日入|网赚|贷款|征信|涨粉|刷粉|刷赞|代开|外围|高仿|一单一结|日结|微商|卖号|代运营|"
    r"招代理|代理招募|一件代发|返利|返现|高佣|引流|收徒|带你赚|在家赚|轻松赚|游戏币|隐藏券|"
    r"followers|crypto|bitcoin|giftcards?|gift cards?|v-?bucks|onlyfans|"
    r"earn \$|\$\d+ ?(?:a|per) (?:day|week)|/week|make money|work(?:ing)? from home|"
    r"congratulations you|you (?:have )?won|claim your"
)
_PROMO = re.compile(
    r"赚钱|代购|代理|代发|货源|进群|加群|渠道|拿货|批发|领取中奖|中奖.*领|私信领|淘宝搜|搜店铺|"
    r"更便宜|一折|内部券|内部优惠|内部价|合作|推广|点击|恭喜|抽奖结果|招聘|工作|联系|找我|戳我|"
    r"wholesale|qr code|cheap|visit|prize|winner|free|invest|signals|income|cash|loan|subscribe|"
    r"contact me|text me|call me|check out my|telegram|whatsapp|snapchat"
)
_DIGITISH = str.maketrans(
    "零〇一二三四五六七八九壹贰叁肆伍陆柒捌玖幺两oO", "0012345678912345678912" + "00"
)
_DIGIT_RUN = re.compile(r"(?:\d[\s\-.·,，]*){7,}")
_HANDLE = re.compile(r"(?<![a-z])[a-z][a-z_]*\d{2,}|\d{5,}|[a-z_]+_[a-z0-9_]+")


_BAIT = re.compile(r"福利|免费|领|红包|惊喜|优惠券|半价|最低|低价|礼品|送")


def _spam_score(folded: str, compacted: str, skeleton: str) -> float:
    score = 0.0
    if _URL.search(folded):
        score += 2
    contacts = max(len(_CONTACT_ZH.findall(compacted)), len(_CONTACT_PY.findall(skeleton)))
    contacts += len(_CONTACT_EN.findall(folded))
    if "+" in folded or "🐧" in folded or "☎" in folded or "📞" in folded:
        contacts += len(_CONTACT_SYM.findall(folded))
    digitised = folded.translate(_DIGITISH)
    digits = _DIGIT_RUN.search(digitised)
    handle = _HANDLE.search(folded) or _HANDLE.search(compacted)
    if contacts:
        score += 1 if contacts == 1 else 2
        if handle or digits:
            score += 1
    if handle and _CONTACT_HANDLE.search(compacted):
        score += 2
    if _SELF_PROMO.search(folded):
        score += 2
    if digits:  # a phone number is a digit run too; only then is the spaced-out check worth it
        score += 2 if _PHONE.search(compact(digitised)) else 1
    if _PROMO_STRONG.search(folded):
        score += 2
    else:  # one promotional word is common in buyers' chat; several together are not
        score += min(2, len(set(_PROMO.findall(folded))))
    if contacts and _BAIT.search(folded):
        score += 1
    return score


# --- cheer -----------------------------------------------------------------------------------
_CHEER_ZH = (
    "主播|姐姐|小姐姐|不错|宝宝|老弟|大家|每日|必须|真的|真|太|好|美|棒|赞|冲|鸭|哈|嘿|嘻|哇|塞|顶|牛|强|绝|子|了|啦|"
    "来|啊|呀|吧|哦|噢|爱|心|漂亮|可爱|好看|好听|声音|支持|加油|辛苦|晚上|早上|中午|关注|点赞|打卡|"
    "报到|老粉|已|下单|拍|买|抢到|开心|给力|比心|送你|小|yyds|扣|评|我|非常|超|级|帅|酷|厉害|优秀|对|到"
)
_CHEER_ZH_RE = re.compile(f"(?:{_CHEER_ZH}|\\d)+")
_CHEER_EN = frozenset(
    "nice love it this so pretty amazing lol haha hahaha hahahaha great show you re the best first go "
    "wow beautiful awesome gg yes cute cool omg yay good job well done lovely gorgeous you're "
    "perfect fire bravo woo wooo hi hello".split()
)
_EMOJI_ONLY = re.compile(
    r"^(?:[\s\W_\u2600-\u27bf\U0001f000-\U0001faff\ufe0f\u200d]|\[[^\[\]]{1,6}\])+$"
)
_WORD = re.compile(r"[a-z']+")


def is_emoji_only(text: str) -> bool:
    """True for messages with no letters or digits at all: emoji, [表情] codes, punctuation."""
    return _EMOJI_ONLY.match(text) is not None


def _is_cheer(folded: str, compacted: str) -> bool:
    if not compacted or is_emoji_only(folded):
        return True
    if compacted.isdigit():
        return len(set(compacted)) == 1 or len(compacted) <= 4
    if compacted.isascii():
        words = _WORD.findall(folded)
        return (
            bool(words) and all(w in _CHEER_EN for w in words) and not folded.rstrip().endswith("?")
        )
    return _CHEER_ZH_RE.fullmatch(compacted) is not None and len(compacted) <= 12


# --- question --------------------------------------------------------------------------------
_Q_MARK = re.compile(r"[?？]")
_Q_ZH = re.compile(
    r"吗|么$|呢|什么|怎么|怎样|咋|多少|多久|多大|多高|多重|多长|几[点号个次岁天件码]|几$|哪|谁|为什么|为啥|"
    r"能不能|可不可以|可以.{0,6}吗|有没有|是不是|会不会|要不要|行不行|好不好|适不适合|"
    r"求讲|求链接|求|讲[讲一下解]|介绍一下|展示|试[一穿下]|看[看一下]|想看|想问|请问|麻烦|再讲|"
    r"能.{0,8}[吗么]|区别|还是|偏大|偏小|建议|推荐[一哪下个]|有推荐|链接在|在哪|啥|咋样|如何|"
    r"穿.{0,3}码|[码号]$|包邮|发货|补货|运费|退货|色号|保质期|尺码|码数|"
    r"\d{2,3}\s*[/ ]?\s*\d{2,3}\s*斤|\d{2,3}\s*斤|拿近|背面|侧面|细节|"
    r"还有.{0,6}[吗福货]|说说|怎么办|客服"
)
_Q_EN_START = re.compile(
    r"^(?:is|are|do|does|did|can|could|will|would|should|what|what's|whats|how|when|where|which|who|why|"
    r"any|price|size|explain|please|pls|show|link)\b"
)
_Q_EN = re.compile(r"\b(?:please|pls|how (?:much|long|many)|size chart|in stock|ship to|for \d)")


# A-not-A questions (甜不甜, 掉毛不掉毛) and the same asked with a final 不/没 (好用不, 有赠品没);
# "不错不错" is praise, so an A already after 不 does not start one.
_Q_A_NOT_A = re.compile(r"(?<!不)(.{1,2})[不没]\1|[^不][不没]$")
# Problems a buyer reports are for the host to answer, whatever their grammar.
_PROBLEM_ZH = re.compile(
    r"[用领拍买付点进下抢加改退打登找]不[了上到进开通着]|失败|没显示|库存不足|填错|破损|被取消|"
    r"不对|没到账|只收到|没收到|没生效|发错|没动|少发|漏发|坏了|显示原价|没发货|一直没"
)
_PROBLEM_EN = re.compile(
    r"\b(?:doesn't|does not|didn't|won't|can't|cannot|not) (?:work|working|arrive|find|pay|open)|"
    r"\bfailed\b|never arrived|wrong (?:item|size|price)"
)
# Someone arriving or browsing ("刚进来发生了什么", "我先看看") is chatting, not asking the host,
# unless they also ask about the goods.
_BROWSING = re.compile(
    r"刚进来|刚来|刚到|刚下班|新来的|来晚了|路过|先看看|随便看看|就看看|看看再说"
)
_BROWSING_WITHIN = 8  # characters from the start: how the message opens
_BUYER_CUE = re.compile(r"多少钱|链接|包邮|发货|尺码|码|价格|优惠|券|几号|库存|赠品")


def _is_question(folded: str, compacted: str) -> bool:
    if compacted.isascii():
        text = folded.strip()
        return (
            _Q_MARK.search(folded) is not None
            or _Q_EN_START.search(text) is not None
            or _Q_EN.search(text) is not None
            or _PROBLEM_EN.search(text) is not None
        )
    if _BROWSING.search(compacted, 0, _BROWSING_WITHIN) and not _BUYER_CUE.search(compacted):
        return False
    return (
        _Q_MARK.search(folded) is not None
        or _Q_ZH.search(compacted) is not None
        or (("不" in compacted or "没" in compacted) and _Q_A_NOT_A.search(compacted) is not None)
        or _PROBLEM_ZH.search(compacted) is not None
    )


def classify_folded(folded: str, compacted: str, skeleton: str) -> Kind:
    """The kind of a message already in `fold`, `compact` and `pinyin_skeleton` form (the
    pipeline computes them once for filters, classifier and clustering)."""
    if _spam_score(folded, compacted, skeleton) >= 2:
        return "spam"
    if _is_cheer(folded, compacted):
        return "cheer"
    if _is_question(folded, compacted):
        return "question"
    return "chat"


def classify(text: str) -> Kind:
    """The kind of one message: "question", "spam", "cheer" or "chat"."""
    folded = fold(text)
    compacted = compact(folded)
    return classify_folded(folded, compacted, pinyin_skeleton(compacted))
