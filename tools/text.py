"""Words of a shopper's question, English and Chinese: the key words a record
must contain to answer it, whether it is a yes-no question, whether it asks for
the most or least of something, and negation near a word in a record.

What it simplifies on purpose: a fixed list of question words and function
words per language (not a parser); English words are stemmed lightly (plurals,
-ing, -ed); Chinese is segmented with jieba.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable

from tools.dictionary import english_vocabulary, english_words, senses
from vectorstore.text import jieba_words, quiet_jieba

# A letter hyphened to a word is part of it ("K-Cups", "T-shirt", "U-bolt"; not the "e-"
# of "e-gift", which records also write without it)
_RUN = re.compile(r"[\u4e00-\u9fff]+|(?:[A-DF-Za-df-z]-)?[A-Za-z0-9]+(?:['][A-Za-z]+)?")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_EN_STOP = frozenset(
    """
    a an the it its it's this that these those they them their there here one ones first second
    third fourth fifth last another other every such same few
    is am are was were be been being does do did doing done can could will
    would should shall may might must has have had having how what which who whom where when why
    of for to in on at by with and or but not no yes any some all both each either of about
    from into as than then so if good well better best much many more most long very really
    also please tell know me my i i'm i'd you your we our us get got make makes made come comes
    came go goes work works worked number option product item thing things kind sort type
    say says said people buyers customers reviewers use used using let like just still ok okay
    enough little bit lot lots pretty quite longest most biggest largest highest greatest
    heaviest thickest strongest widest shortest least smallest lowest lightest thinnest
    cheapest fewest narrowest better worse than ever top meant her him his she he next also
    anything something everything there's would've can't won't isn't aren't doesn't don't
    give gave given want wanted out up down way time times day days always often never again
    back even well one two three first last many much lot own sure thing bought buy buying
    for as on off in at to from into over after before will little big because though
    although while since until unless whether perhaps maybe really actually probably what's
    where's how's who's that's itself themselves myself take takes took taking need needs
    needed put puts keep keeps able okay fine usually typically generally
    only actually difference differences between among either
    neither too just instead rather higher lower heavier bigger smaller larger longer
    shorter cheaper pricier faster slower stronger weaker greater accept accepts
    cousin cousins lives live living friend friends wife husband mom dad son daughter kids
    sister sisters brother brothers nephew niece parents mother father mum grandma grandpa
    grandmother grandfather grandson granddaughter girlfriend boyfriend once ahead nowhere love
    mention mentions mentioned mentioning specify specifies specified page listing
    im ive dont cant doesnt isnt wont didnt youre theyre hes shes u ur pls plz wanna gonna ppl
    """.split()  # noqa: SIM905
)
# What will do ("电子版的就行", an e-card will do): fine with it, nothing of the thing
ZH_WILL_DO = frozenset("就行 就好 就可以 也行 也可以 即可 都行 都可以 无所谓 随便".split())  # noqa: SIM905
_ZH_STOP = (
    frozenset(
        """
    第一个 第二个 第三个 第四个 第五个 第一款 第二款 第三款 一个 一款 这个 那个 这款 那款
    这些 那些 这几款 这几个 它 它们 他 她 我 你 您 吗 呢 么 吧 啊 呀 的 了 是 有 没有 有没有
    能 能不能 可以 可不可以 会 会不会 怎么样 怎么 如何 多少 多久 几 哪 哪个 哪一款 哪款 哪些
    适合 适不适合 好 好不好 不 用 一下 请问 请 还 和 跟 都 也 就 很 最 比较 更 个 款 件 双 种
    些 这 那 什么 为什么 一 二 三 第 想 想要 要 需要 做 能够 得 着 过 吧 呢 该 应该 平时 一般 东西
    用来 用于 时候 能用 可以用 区别 差别 不同 之间 两个 两款 两张 哪一张 哪一个 还是 只是
    提到 提及 写 写着 写了 写到 有写 上写 注明 标明 页面 详情 不会 问题 有问题
    妈妈 我妈 爸爸 我爸 爸妈 父母 老婆 老公 孩子 儿子 女儿 孙女 孙子 朋友 姐姐 妹妹 哥哥 弟弟 家人
    女朋友 男朋友 女友 男友 丈夫 妻子 爷爷 奶奶 外公 外婆
    买 想买 购买 不能 顺便 顺带 比如 例如 譬如 或者 一点 一点儿
    """.split()  # noqa: SIM905
    )
    | ZH_WILL_DO
)
_POLAR = re.compile(
    r"^\s*(?:is|are|was|were|does|do|did|can|could|will|would|has|have|should)\b|吗\s*[?？]?\s*$"
    r"|是不是|有没有|能不能|会不会|可不可以|适不适合",
    re.I,
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|without|isn't|aren't|doesn't|don't|non)\b|不|没|无", re.I
)
_MOST = re.compile(
    r"\b(?:longest|most|biggest|largest|highest|greatest|heaviest|thickest|strongest|widest"
    r"|priciest|dearest)\b|最(?:长|多|大|高|重|厚|久|强|宽|贵|耐用|持久)",
    re.I,
)
_LEAST = re.compile(
    r"\b(?:shortest|least|smallest|lowest|lightest|thinnest|cheapest|fewest|narrowest)\b"
    r"|最(?:短|少|小|低|轻|薄|便宜|窄)",
    re.I,
)


_QUANTITY_ASKED = re.compile(
    r"\bhow\s+(?:many|much|long|big|large|heavy|tall|high|wide|thick|far|hot|cold|deep|old)\b"
    r"|\bwhat\s+(?:size|sizes|capacity|voltage|wattage|temperature|length|width|height|weight"
    r"|dimensions?|volume|range|power)\b"
    r"|多少|几|多大|多长|多重|多高|多宽|多厚|多久|多远|多深|容量|功率|尺寸|温度",
    re.I,
)
# A quantity a record states: a number with a unit ("20-hour", "2.2 LBS", "65L", "5
# Pack", "4\" x 4.5\"", "500毫升"), or in words ("a week", "a dozen"). A bare number is
# more often a model number ("Echo 800") than an answer to "how long".
_UNITS = (
    "mm|cm|m|km|in|inch|inches|ft|feet|foot|yd|oz|ounces?|fl|lbs?|pounds?|g|kg|grams?|mg|ml|l"
    "|liters?|litres?|gal|gallons?|qt|quarts?|cups?|hours?|hrs?|h|min|minutes?|mins|sec|seconds?"
    "|days?|weeks?|months?|years?|yrs?|mah|v|volts?|w|watts?|kw|a|amps?|ma|hz|khz|mhz|ghz|gb|tb"
    "|mb|db|c|f|degrees?|pack|packs|pcs|pieces?|count|ct|sheets?|rolls?|pairs?|cards?|sets?"
    "|x|psi|awg|gauge|mil|percent|ppm|rpm|people|persons?|servings?|slots?|ports?|speeds?"
)
# A one-letter unit (or "in") only right after its number: "800 is a" holds no amps.
_BARE_UNITS = frozenset("m in g l h v w a c f x".split())  # noqa: SIM905
_WORDED_UNITS = "|".join(u for u in _UNITS.split("|") if u not in _BARE_UNITS)
_QUANTITY = re.compile(
    rf"\d(?:[\d.,/]*\d)?\s*(?:-\s*)?(?:[a-z-]+\s+){{0,2}}(?:{_WORDED_UNITS})\b"
    rf"|\d(?:[\d.,/]*\d)?\s*(?:-\s*)?(?:{_UNITS})\b|\d\s*[\"'%°$]|[$]\s*\d"
    r"|\b(?:of|up to|contains|holds|includes|fits)\s+\d"
    r"|\d\s*(?:毫升|升|克|千克|公斤|厘米|毫米|米|英寸|寸|小时|分钟|天|周|个月|年|瓦|伏|度|只|个|片|张|包|盒|件|套)"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty"
    r"|thirty|fifty|hundred|thousand|dozen|half|a\s+(?:week|month|year|day|minute|couple|dozen)"
    r"|an\s+hour)\b|[一二两三四五六七八九十百千万半]\s*(?:个|只|片|张|包|盒|件|套|小时|天|周|年|米|升)",
    re.I,
)


_SENTENCE = re.compile(r"(?<=[?？.!。！;；])\s*|\s+-\s+")
_OR = re.compile(r"\s(?:or)\s|,\s*or\s|或者|或是|还是|或(?!许)", re.I)
_MEASURE = "个只片张支根条颗粒套件卷对块双"
_UNIT_WORD = re.compile(
    rf"(?:{_UNITS})|mile|meter|metre|calorie|time|year|小时|钟头|分钟|秒|天|星期|礼拜|月|年|人|瓦|伏"
    r"|公里|米|厘米|毫米|升|毫升|克|公斤|斤|度|次",
    re.I,
)
_PIECE = re.compile(r"pieces?|pcs|pc|items?|units?|count", re.I)
_PACK_WORD = re.compile(r"packs?|pcs|pieces?|count|ct|pairs?|sets?|cards?|sheets?|rolls?", re.I)
_COUNT_ASKED = re.compile(
    rf"\bhow\s+many\b|(?:几|多少)\s*[{_MEASURE}把]|[一每]\s*[包盒袋套箱卷罐瓶]\S{{0,4}}?(?:几|多少)"
    rf"|[{_MEASURE}]数(?:多|少|最多|最少|更多|更少|是多少)|数量(?:多|少|最多|更多|是多少)",
    re.I,
)
_PACK_COUNT = re.compile(
    r"\d[\d,]*\s*(?:-\s*)?(?:pack|packs|pk|pcs|pieces?|count|ct|pairs?|units?)\b"
    r"|\b(?:multi-?)?(?:pack|box|bag|set|case|bundle|lot|package)\s+of\s+\d[\d,]*"
    # "Box/100", "100/Box", "50 per bag"
    r"|\b(?:pack|pk|box|bx|bag|case|cs|pkg|package|roll|set)\s*/\s*\d[\d,]*"
    r"|\d[\d,]*\s*(?:/|\bper\s+)(?:pack|pk|box|bx|bag|case|cs|pkg|package|roll|set)\b"
    r"|\b(?:contains|includes|holds|fits)\s+(?:up\s+to\s+)?\d"
    r"|\b(?:ten|twelve|twenty|fifty|hundred|thousand|dozen)\s*\(\d[\d,]*\)"  # One Hundred (100)
    rf"|\d\s*[{_MEASURE}]\s*装|(?:每|一)[包盒袋套箱]\s*\d",
    re.I,
)
_DETERMINER = re.compile(r"\b(?:the|this|that|these|those|both|either|each)\s+(.*)", re.I)
# Chinese measure words that follow 这/那 or a numeral ("这双", "一件"), as a regex class
ZH_MEASURE_WORDS = "[个款把台张瓶双块盒包件套支只条种副顶本辆部组罐袋份根]"
_ZH_DEMONSTRATIVE = re.compile(rf"^[这那](?:些|[一两几]?{ZH_MEASURE_WORDS})?$")


# A name in quotes: opened after a space, closed before one (not "I'm ... don't").
_QUOTED_NAME = re.compile(r"(?:(?<=\s)|^)['\"“‘]([^'\"“”‘’]{2,60})['\"”’](?=[\s,.;:?!)]|$)")
_LATIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")


def naming_words(question: str) -> set[str]:
    """Words of the phrases that point at a product ("the oscilloscope", "this paring
    knife", "这个电压表", a name in quotes): they say which product is meant. A phrase runs from a
    determiner to the next function word; in Chinese, the nouns after 这个/这款...
    English words stemmed, as content_terms gives them."""
    out: set[str] = set()
    for m in _QUOTED_NAME.finditer(question or ""):  # "the 'You Mean so Much' animated one"
        out.update(
            stem(w.casefold()) for w in _LATIN_WORD.findall(m.group(1)) if not is_stopword(w)
        )
    for sentence in re.split(r"[?.!,;]", question or ""):
        rest = sentence
        while m := _DETERMINER.search(rest):
            words = re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", m.group(1))
            for k, word in enumerate(words[:5]):
                if k and word.casefold() == "of" and k + 1 < len(words):
                    continue  # "the bottle of calibration solution", "this pack of gloves"
                if is_stopword(word):
                    break
                out.add(stem(word.casefold()))
            rest = m.group(1)
    if _HAN.search(question or ""):
        posseg = quiet_jieba().posseg
        tagged = [(w.word, w.flag) for w in _rejoined(posseg.lcut(question)) if w.word.strip()]
        for i, (word, _flag) in enumerate(tagged):
            if not _ZH_DEMONSTRATIVE.match(word):
                continue
            start = i + 1
            if (
                len(word) == 1
                and start < len(tagged)
                and _ZH_DEMONSTRATIVE.match(word + tagged[start][0])
            ):
                start += 1  # 这 + 把: the measure word cut off
            # the words of the phrase up to what the question says of it: a modal or
            # copula verb, a particle, a pronoun, an adverb ("这个节日弹出礼盒|可以...")
            for after, tag in tagged[start : start + 4]:
                if (
                    after in _ZH_PHRASE_END
                    or after in _ZH_ADVERBS
                    or tag.startswith(_ZH_PHRASE_END_TAGS)
                ):
                    break
                if not _HAN.match(after) and tag != "eng":
                    break
                if question.count(after) > 1:
                    continue  # named again after the phrase: "这些LED灯座适合多大的LED？"
                out.add(stem(after.casefold()) if not _HAN.match(after) else after)
    return out


_ZH_PHRASE_END = frozenset(
    """可以 能 能不能 可不可以 会 会不会 是 是不是 有 有没有 要 需要 适合 带 用 能用 还是 和 跟
    多少 几""".split()  # noqa: SIM905 (多长, 多久... are in _ZH_ADVERBS)
)
_ZH_PHRASE_END_TAGS = ("r", "p", "u", "c", "y", "d", "m", "q", "x", "w")


_PRICE_ASKED = re.compile(
    r"\b(?:price|prices|priced|cost|costs|cheap|cheaper|cheapest|expensive|pricey|priciest"
    r"|affordable|sale|discount)\b"
    r"|\bhow much\b(?!\s+(?:weight|water|power|space|room|time|noise|light"
    r"|storage|memory|battery|does it weigh|can it))|多少钱|价格|价钱|售价|便宜|最贵|贵吗|多贵"
    r"|打折",
    re.I,
)


# A price at another time than now: the listed price does not answer it.
_PRICE_THEN = re.compile(
    r"\b(?:last|past|previous|next)\s+(?:week|month|year|sale|time)\b|\bused to\b"
    r"|\bbefore\b|\bearlier\b|\bever\b|\bhistor(?:y|ic|ical)\b|\bover time\b"
    r"|\b(?:dropped|drop|gone down|go down|went down|changed|change|recently|lately)\b"
    r"|\b(?:go|goes|going) on sale\b|\bwait for (?:a|the) (?:sale|discount|deal)\b"
    r"|\b(?:last|past)\s+(?:few|couple of|several|two|three|\d+)\s+(?:days|weeks|months)\b"
    r"|\btrend\b|\bhold off\b|\bnormal(?:ly)? price\b|\busual(?:ly)? price\b"
    r"|\bhow (?:it'?s|it has|the price has|the price's) moved\b"
    r"|\bhow (?:its|the) price (?:has )?(?:moved|changed|gone)\b|\bprice (?:has )?moved\b"
    r"|\bas (?:low|high|cheap) as (?:it'?s|it has|it) (?:been|gone|got|ever)\b"
    r"|之前|以前|原来|原价|上个?月|上周|去年|历史|最近|曾经|降价|涨价|变化|双十一|黑五|打过折|降过价"
    r"|会不会打折|会打折吗|等(?:等)?再买|等打折"
    r"|走势|趋势|波动|(?:这|近|过去)(?:几|两|三|\d)个月",
    re.I,
)


# "what is the second one about?", "what's this book about", "第一本讲的是什么？", "这本书是关于
# 什么的": what the product is, asked of a product in view, with nothing else asked
_ABOUT_IT = re.compile(
    r"^\W*(?:so|and|ok|okay|hmm)?[\s,]*(?:what(?:'s|\s+is|\s+was|s)|whats)\s+"
    r"(?:[\w'’-]+\s+){1,8}?(?:all\s+)?about\W*$"
    r"|^\W*(?:那|这|那个|这个|这本|那本|第[一二三四五1-5](?:个|本|款)|它)?[^，,。？?]{0,6}?"
    r"(?:讲的是什么|讲什么|讲的什么|是讲什么的|是关于什么的?|关于什么的?|主要内容是什么|内容是什么|是什么内容)"
    r"[的呀啊呢？?。!！\s]*$",
    re.I,
)


def asks_what_it_is(question: str) -> bool:
    """A question that asks what a product is about, and nothing else ("what is the
    second one about?", "第一本讲的是什么？"): answered by what its description says."""
    return bool(_ABOUT_IT.match(question or ""))


def asks_price(question: str) -> bool:
    """A question about what a product costs now ("how much is the second one?", "which
    is cheapest?", "第一个多少钱？"), not about how much of something it holds, nor about
    its price at another time ("was it cheaper last month?", "之前卖多少钱": the listed
    price does not say)."""
    text = question or ""
    if not re.search(r"\bwhich\b|哪", text):  # "which is the cheaper one?" asks it
        text = _POINTING_BY_PRICE.sub(" ", text)
    if _HOW_MUCH_OF.search(text) and not _MONEY.search(text):
        return False  # "how much do the third ones weigh?" asks a weight
    if _BALANCE.search(text):
        return False  # "怎么查卡里还剩多少钱": what is left on a card, not what it costs
    return bool(_PRICE_ASKED.search(text)) and not _PRICE_THEN.search(text)


_BALANCE = re.compile(
    r"\bbalance\b|\b(?:left|remaining) on (?:it|the card|my card|this card)\b"
    r"|余额|(?:还|还能)?剩(?:下|余)?多少",
    re.I,
)


# "how much" of something other than money, said anywhere in the question
_HOW_MUCH_OF = re.compile(
    r"\bhow\s+much\b.*\b(?:weigh\w*|hold|holds|fit|fits|capacity|storage|memory|power|battery"
    r"|noise|water|space|room|volume)\b",
    re.I,
)
_MONEY = re.compile(r"\b(?:cost|costs|price|priced|pay|dollars?|bucks|euros?)\b|[$€£¥]", re.I)


# "the cheaper one", "便宜的那个": a pick among the products in view, not a wish for
# cheaper ones (agent.references reads which).
PICK_CHEAPER = re.compile(
    r"\bthe (?:cheaper|less expensive|lower[- ]priced|more affordable)"
    r" (?:one|ones|pair|of (?:the|them|these|those|two))\b"
    r"|(?:更)?便宜(?:一点|一些|些)?的(?:那|这)(?:个|款|双|件|台|一个|一款)"
    r"|(?:那|这)(?:个|款|双|件|台)(?:更)?便宜的",
    re.I,
)
PICK_PRICIER = re.compile(
    r"\bthe (?:more expensive|pricier|dearer|higher[- ]priced)"
    r" (?:one|ones|pair|of (?:the|them|these|those|two))\b"
    r"|(?:更)?贵(?:一点|一些|些)?的(?:那|这)(?:个|款|双|件|台|一个|一款)",
    re.I,
)
# "does the cheaper one expire?": the price picks the product (as above, or "the cheapest
# one"), it is not what is asked
_POINTING_BY_PRICE = re.compile(
    rf"{PICK_CHEAPER.pattern}|{PICK_PRICIER.pattern}"
    r"|\bthe (?:cheapest|priciest|(?:most|least) expensive)(?: (?:one|ones|pair))?\b"
    r"|最(?:便宜|贵)的(?:那|这)(?:个|款|双|件|台|一个|一款)",
    re.I,
)


# "which one has better reviews?", "哪个评价更好？": the products' ratings compared
_RATING_ASKED = re.compile(
    r"\b(?:better|best|higher|highest|top|more|most|good|great)[- ]?"
    r"(?:reviews?|ratings?|rated|stars?)\b"
    r"|\brated (?:higher|better|best|highest)\b|\b(?:reviews?|ratings?) (?:better|higher)\b"
    r"|(?:评价|评分|口碑|好评|星级)(?:更|最)(?:好|高|多)|(?:更|最)(?:好评|受欢迎)"
    # which brand is better: a judgement the records hold only as buyers' ratings
    r"|\b(?:which|what)\s+(?:brand|make)s?\s+(?:of\s+[\w-]+(?:\s+[\w-]+)?\s+)?(?:is\s+|are\s+"
    r"|'s\s+)?(?:the\s+)?(?:better|best)\b|\b(?:better|best)\s+brands?\b"
    r"|(?:哪个|哪家|哪种|什么)(?:牌子|品牌)的?[\u4e00-\u9fff]{0,6}?(?:更|最|比较)?(?:好|靠谱)"
    r"(?:[吗呢啊？?。!！]|$)",
    re.I,
)


# "who wrote the first one?", "who makes it?", "what brand is the second one?", "作者是谁",
# "第一本是谁写的", "是什么牌子的": who made the product, or wrote it
_MAKER_ASKED = re.compile(
    r"\bwho\s+(?:wrote|writes|written|made|makes|manufactures|published|publishes|is\s+the"
    r"\s+(?:author|writer|maker|manufacturer|brand|publisher))\b"
    r"|\bwhat\s+(?:brand|make|company)\b|\b(?:author|writer|publisher)\s+(?:of|is)\b"
    r"|\bthe\s+(?:maker|manufacturer)\s+of\b"
    r"|谁写的|作者是谁|作者是|谁的作品|谁(?:生产|制造|出版)的?|(?:什么|哪个|哪家)(?:牌子|品牌|厂家|公司|出版社)",
    re.I,
)
_AUTHOR_ASKED = re.compile(r"\b(?:wrote|writes|written|author|writer)\b|写|作者|作品", re.I)


def asks_maker(question: str) -> bool:
    """A question about who made or wrote a product ("who wrote the first one?", "what
    brand is it?", "作者是谁"): answered by its brand, or a record that says it is "by"
    someone."""
    return bool(_MAKER_ASKED.search(question or "")) and not asks_rating(question)


def asks_author(question: str) -> bool:
    """A maker question that asks who wrote it (`asks_maker`)."""
    return bool(_AUTHOR_ASKED.search(question or ""))


def asks_rating(question: str) -> bool:
    """Which of several products buyers rate higher ("which one has better reviews?",
    "哪个评分最高？", "which brand is better?", "哪个牌子更好"): answered from the ratings,
    highest first."""
    return bool(_RATING_ASKED.search(question or ""))


def asks_past_price(question: str) -> bool:
    """A question about a product's price at another time ("was it cheaper last month?",
    "第三款之前卖多少钱"), which no listed price answers."""
    text = question or ""
    return bool(_PRICE_ASKED.search(text) or re.search(r"卖|价|打(?:过)?折|折扣", text)) and bool(
        _PRICE_THEN.search(text)
    )


# The kind of thing a question's answer is, where its words say so, and the expressions
# of each kind a record can hold: "how big is the tin?" is answered by a size ("4\" x
# 4.5\"", a backpack's "30L"), not by any number ("0.6 ounces"); "which states can I use
# it in?" by places ("throughout Arizona, California ..."). "how long" asks a length or
# a time.
_NUMBER = r"\d(?:[\d.,/]*\d)?\s*(?:-\s*)?"
# Colour words, English and Chinese
COLOUR = re.compile(
    r"\b(?:red|pink|blue|navy|green|olive|yellow|orange|purple|violet|black|white|grey|gray"
    r"|brown|beige|silver|gold|golden|teal|turquoise|maroon|burgundy|cream|ivory|tan)\b"
    r"|[红粉蓝绿黄橙紫黑白灰棕银金青米咖]色",
    re.I,
)
# A size one wears or picks, by letter, as a shopper names it ("size large", "in XL",
# "大号", "L码") and as a title gives it in a part of its own ("Nitrile Exam Gloves,
# Large, Box/100", "(Size M)"); "large" before a noun ("large LCD screen", "Medium
# Strength") is no size picked. Each to one label: xs, s, m, l, xl, xxl, xxxl.
_SIZE_NAMES = (
    r"x{1,3}[- ]?small|extra[- ]small|small|medium|large|x{1,3}[- ]?large"
    r"|extra[- ]large|[23]xl|xxxl|xxl|xl|xs"
)
_SIZE_WORD = rf"(?:{_SIZE_NAMES})"
_SIZE_LETTER = rf"(?:{_SIZE_NAMES}|l|s|m)"  # after "size": a letter alone is one too
_SIZE_ASKED = re.compile(
    rf"\bsize\b\s*:?\s*(?P<a>{_SIZE_LETTER})\b|\b(?P<b>{_SIZE_WORD})\s+size\b"
    rf"|\b(?P<c>x{{1,3}}l|[23]xl|xs)\b|(?P<d>加大|特大|大|中|小)号"
    r"|(?<![A-Za-z])(?P<e>X{0,3}L|XS|S|M|[23]XL)码",
    re.I,
)
_SIZE_PART = re.compile(
    rf"(?:^|[,(|/;]|\s-)\s*(?:size\b\s*:?\s*)?(?P<a>{_SIZE_WORD})\s*(?=$|[,()|/;]|\s-)"
    rf"|\bsize\b\s*:?\s*(?P<b>{_SIZE_LETTER})\b|,\s*(?P<c>[lms])\s*(?=[,)]|$)",
    re.I,
)
_ZH_SIZES = {"加大": "xl", "特大": "xxl", "大": "l", "中": "m", "小": "s"}


def _size_label(word: str) -> str:
    w = re.sub(r"[- ]", "", word.casefold()).replace("extra", "x")
    for full, short in (("small", "s"), ("medium", "m"), ("large", "l")):
        w = w.replace(full, short)
    if w[:1] in "23" and w.endswith("xl"):
        w = "x" * int(w[0]) + "l"
    return w


def sizes_asked(text: str) -> set[str]:
    """The sizes the text picks ("nitrile gloves, size large": {"l"}; "XL码": {"xl"})."""
    found = set()
    for m in _SIZE_ASKED.finditer(text):
        if m.group("d"):
            found.add(_ZH_SIZES[m.group("d")])
        else:
            found.add(_size_label(next(g for g in m.groups() if g)))
    return found


def title_sizes(title: str) -> set[str]:
    """The sizes a title gives as its own part ("..., Large, Box/100": {"l"})."""
    return {_size_label(next(g for g in m.groups() if g)) for m in _SIZE_PART.finditer(title)}


# Taking less room: "which one takes up less space?", "more compact", "哪个更省地方"
_COMPACT = (
    r"\b(?:more|most)\s+compact\b|\btakes?\s+up\s+(?:less|the\s+least)\s+(?:space|room)\b"
    r"|\bsmaller\s+footprint\b|(?:更|最)?省(?:地方|空间)|占(?:地方|空间|地)(?:更|最)?小|(?:更|最)(?:紧凑|小巧)"
)
_COMPACT_ASKED = re.compile(_COMPACT, re.I)
_ANSWER_ASKED = {
    "size": re.compile(
        r"\bhow\s+(?:big|large|small|tall|high|wide|deep|thick|long)\b|\bdimensions?\b"
        # "which is the largest?", "哪个最大？": the sizes the products state, compared
        r"|\b(?:biggest|largest|smallest|bigger|larger|smaller|thickest|thinnest|thicker"
        r"|thinner)\b|(?:最|更)(?:大|小|厚|薄)(?!码)"
        r"|\bwhat\s+(?:size|length|width|height|depth)\b|\bmeasurements?\b|\bdiameter\b"
        # what it holds: "which one holds the most?", "how much does it hold?", "装得最多"
        r"|\bholds?\s+(?:the\s+)?(?:more|most)\b|\bhow\s+much\s+(?:does|do|will|can|would|could)\s+(?:\w+\s+){0,3}hold\b"
        r"|\bcapacity\b|\bvolume\b|装得?(?:更|最)多|容量|容积"
        rf"|{_COMPACT}"
        r"|多大|多高|多宽|多厚|多深|多长(?!时间)|尺寸|大小|长宽|直径|多粗|粗细|口径",
        re.I,
    ),
    # a size one wears or picks ("what sizes do they come in?" of gloves: "Large")
    "fit": re.compile(
        r"\b(?:what|which)\s+sizes?\b|\bsizes?\s+(?:available|do\s+they|does\s+it)"
        r"|\bcome\s+in\s+(?:what|which|other|different)\s+sizes?\b|尺码|几码|什么码|多大码",
        re.I,
    ),
    "weight": re.compile(
        r"\bhow\s+heavy\b|\bweigh(?:s|t)?\b|多重|重量|几斤|多少斤|多少克|多少公斤"
        r"|\b(?:heaviest|lightest|heavier|lighter)\b|(?:最|更)(?:重|轻)",
        re.I,
    ),
    "time": re.compile(
        r"\bhow\s+long\b|\bhow\s+many\s+(?:hours|days|minutes|weeks|months|years)\b"
        r"|多久|多长时间|几个?小时|几天|几分钟|几年",
        re.I,
    ),
    # the span a measurement or setting covers: "what range of wavelengths can it read?"
    "range": re.compile(
        r"\b(?:what|which)\s+(?:is\s+(?:the|its)\s+)?(?:[a-z-]+\s+)?range(?:\s+of\s+[a-z-]+)?\b"
        r"|\brange\s+(?:is|does)\b"
        r"|范围|量程|区间",
        re.I,
    ),
    # what it is made of: "what material is it?", "what metal are these made from?", "什么材质"
    "material": re.compile(
        r"\bwhat\s+(?:\w+\s+){0,3}?(?:made|constructed)\s+(?:of|from|out\s+of)\b"
        r"|\b(?:what|which)\s+(?:kind\s+of\s+|type\s+of\s+)?(?:materials?|metal|fabric)\b"
        r"|材质|材料|什么做的|什么料|用什么做",
        re.I,
    ),
    # "what colors does it come in?", "有什么颜色": a colour the record names answers
    "colour": re.compile(
        r"\b(?:what|which)\s+colou?rs?\b|\bcolou?rs?\s+(?:available|options|does\s+it|do\s+they)"
        r"|\bcome\s+in\s+(?:what|which|other|different|any\s+other)\s+colou?rs?\b"
        r"|什么颜色|哪些颜色|哪几种颜色|几种颜色|几个颜色|有什么色",
        re.I,
    ),
    # how many come in one: "how many are in a pack of the second one?", "一盒多少个？"
    "count": re.compile(
        r"\bhow\s+many\s+(?:pieces|pcs|units|items|count)\b"
        # "how many come in the first one?", "how many do you get?"
        r"|\bhow\s+many\s+(?:come|comes|are\s+included|do\s+(?:you|i|we)\s+get|does\s+it\s+"
        r"(?:come\s+with|include|contain))\b"
        r"|\bhow\s+many\b[^?.]{0,30}?\b(?:in|per|inside)\s+(?:a|the|each|one|every)?\s*"
        r"(?:pack|box|bag|set|case|package|carton|roll|kit|order|tube|jar|bottle)\b"
        r"|\b(?:pack|box|package|case)\s+(?:size|count|quantity)\b"
        r"|(?:一|每)(?:盒|包|袋|套|箱|瓶|卷|组|板|排|份)(?:有|是|装|里|里面|共)?(?:多少|几)"
        r"|(?:多少|几)(?:个|片|支|只|根|张|粒|颗|条|枚)装|装(?:了|有)?(?:多少|几)(?:个|片|支|只|根|张|粒|颗|条|枚)",
        re.I,
    ),
    "place": re.compile(
        r"\bwhere\b|\b(?:which|what)\s+(?:states?|countries|country|cities|city|regions?"
        r"|locations?|areas?)\b|在?哪些?个?(?:州|国家|城市|地区|省)|哪里|哪儿|在哪|产地",
        re.I,
    ),
}
_PLACES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida"
    "|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland"
    "|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada"
    "|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio"
    "|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee"
    "|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|Puerto Rico"
    r"|United States|U\.?S\.?A?\.?|America|Canada|Mexico|Brazil|United Kingdom|UK|England"
    "|Britain|Ireland|France|Germany|Italy|Spain|Portugal|Netherlands|Belgium|Switzerland"
    "|Austria|Sweden|Norway|Denmark|Finland|Poland|Russia|Turkey|Israel|India|China|Japan"
    "|Korea|Taiwan|Hong Kong|Singapore|Malaysia|Thailand|Vietnam|Indonesia|Philippines"
    "|Australia|New Zealand|Europe|Asia|Africa"
)
_MATERIALS = (
    r"stainless(?:\s+steel)?|steel|alumin(?:um|ium)|brass|copper|bronze|titanium|zinc"
    r"|iron|nickel|chrome|plastic|polypropylene|polyethylene|polycarbonate|acrylic|abs|pla"
    r"|petg|nylon|polyester|cotton|wool|merino|fleece|leather|suede|canvas|rubber|silicone"
    r"|latex|nitrile|vinyl|pvc|tpe|tpu|eva|foam|cork|wood(?:en)?|bamboo|glass|borosilicate"
    r"|ceramic|porcelain|carbon\s+fib(?:er|re)|fib(?:er|re)glass|paper|cardboard|felt"
    r"|microfib(?:er|re)|neoprene|polyolefin|ptfe|teflon|resin|epoxy|synthetic"
)
_ANSWER_HELD = {
    "colour": COLOUR,
    "material": re.compile(
        rf"(?i:\b(?:{_MATERIALS})\b)|不锈钢|钢|铝|铜|塑料|尼龙|棉|皮革|真皮|橡胶|硅胶|玻璃|陶瓷|木"
    ),
    "size": re.compile(
        rf"{_NUMBER}(?:\"|”|''|(?:inch(?:es)?|in|cm|mm|ft|feet|foot|yards?|yd|m|meters?"
        r"|metres?|centimet(?:er|re)s?|millimet(?:er|re)s?|l|liters?|litres?|ml|gal|gallons?"
        r"|qt|quarts?)\b|英寸|寸|厘米|公分|毫米|米|升|毫升)"
        r"|\d\s*(?:\"|”|in|cm|mm)?\s*[x×]\s*\d|\bsize\s+\d",
        re.I,
    ),
    "fit": re.compile(
        r"\b(?:XXS|XS|XL|XXL|XXXL|[2-5]XL)\b|(?i:\b(?:small|medium|large|x-large"
        r"|extra[- ]large|one\s+size|size\s+\d+(?:\.\d)?)\b)|[SML]码|均码"
    ),
    "weight": re.compile(
        rf"{_NUMBER}(?:oz|ounces?|lbs?|pounds?|g|kg|grams?|kilograms?)\b|\d\s*(?:克|千克|公斤|斤)",
        re.I,
    ),
    "time": re.compile(
        rf"{_NUMBER}(?:[a-z-]+\s+)?(?:hours?|hrs?|h|minutes?|mins?|days?|weeks?|months?|years?"
        r"|yrs?)\b|\d\s*(?:小时|分钟|天|周|星期|个月|年)"
        r"|\b(?:a|an|one)[\s-]+(?:hour|day|week|month|year)\b|\bovernight\b|\bforever\b"
        r"|\bnever\s+expires?\b|\bno\s+expiration\b",
        re.I,
    ),
    "range": re.compile(
        r"\bfrom\s+[-+]?\d[\d.,]*\s*\S{0,8}\s+(?:to|up to)\s+[-+]?\d"
        r"|\d[\d.,]*\s*[a-z%°]{0,6}\s*(?:-|–|~|to)\s*[-+]?\d[\d.,]*\s*(?:[a-z%°µ]{1,6}|degrees)"
        r"|\d\s*[a-z%°]{0,6}\s*(?:到|至|~|-)\s*\d",
        re.I,
    ),
    # "(Pack of 10)", "10/bx", "100 pcs", "50-count", "Qty: 12", "20片装"
    "count": re.compile(
        r"\b(?:pack|box|case|set|bag|kit|carton|lot|bundle)\s+of\s+\d+"
        r"|\d+\s*-?\s*(?:pack|pk|pcs|pieces?|count|ct|pc)\b|\d+\s*/\s*(?:bx|box|pk|pack|cs|case|bag)\b"
        r"|\b(?:bx|box|pk|pack|cs|case|bag)\s*/\s*\d+"
        r"|\b(?:qty|quantity)\s*[:：]?\s*\d+|\d+\s*(?:个|片|支|只|根|张|粒|颗|条|枚|件)装?",
        re.I,
    ),
    # proper names as written ("US", never the "us" of "contact us"), then common words
    "place": re.compile(
        rf"\b(?:{_PLACES})\b|(?i:\b(?:nationwide|worldwide|internationally|overseas|online"
        r"|in[- ]stores?|in person|everywhere|around the (?:globe|world)|at (?:any|all"
        r"|participating)\b[^.]{0,40}?\b(?:locations?|stores?|restaurants?|theat(?:er|re)s?"
        r"|outlets?))\b)"
        r"|美国|中国|加拿大|日本|英国|欧洲|全国|全球"
    ),
}


# Where a product may be used or sent: a place named in a question ("can I use it in
# Canada?", "能寄到国外吗？", "can I pay online?") and a record that bounds it ("Good for US
# iTunes Store only", "Redemption: In store only", "not eligible for international
# shipping"). How it is asked (sent or used) picks the records that answer.
# (beside the places that answer "where": _ANSWER_HELD["place"])
_SCOPE_PLACE = re.compile(
    r"\b(?:abroad|international|on\s?line|internet|website|out of (?:the )?(?:country|state)"
    r"|outside (?:the )?(?:us|u\.s\.?|states|country)|other (?:countries|states)"
    r"|another (?:country|state)|in[- ]stores?|in person|physical (?:stores?|shops?|locations?)"
    r"|brick[- ]and[- ]mortar|(?:at|in) (?:the|a|their) (?:store|shop|restaurant|register))\b"
    r"|国外|海外|境外|外国|网上|线上|网店|官网|店里|门店|实体店"
    r"|外州|别的州|澳大利亚|墨西哥|香港|台湾|夏威夷|阿拉斯加"
    r"|[\u4e00-\u9fff]{1,4}州(?!长)",  # a state or a city: 田纳西州, 加州, 广州
    re.I,
)
_SCOPE_ASKED = {  # using first: "can I use it to pay for a delivery order?" asks of use
    "use": re.compile(
        r"\b(?:use|used|usable|spend|spent|redeem(?:ed|able)?|work|works|accepted|pay"
        r"|valid|good)\b|用|兑换|消费|花|付款|支付",
        re.I,
    ),
    "ship": re.compile(
        r"\b(?:ship(?:ped|s|ping)?|send|sent|mail(?:ed)?|deliver(?:ed|y)?)\b"
        r"|寄|邮|发货|配送|运到|送到|快递",
        re.I,
    ),
}
_SCOPE_HELD = {
    "ship": re.compile(r"\b(?:ship(?:ped|s|ping)?|deliver(?:ed|y)?|mail(?:ed)?)\b", re.I),
    "use": re.compile(
        r"\b(?:redeem(?:ed|able)?|redemption|use|used|valid|good\s+(?:for|at|in|towards?)"
        r"|accepted|only|payments?)\b",
        re.I,
    ),
}
_SCOPE_PLACE_HELD = re.compile(
    r"\b(?:domestic|international|in[- ]restaurants?|continental|participating|outside)\b", re.I
)


# The places a question names in any case ("ship it to toronto, canada?"); not those a
# word of its own spells ("us", "uk", "turkey", "china")
_PLACE_ANY_CASE = re.compile(
    r"\b(?:"
    + "|".join(
        p
        for p in _PLACES.split("|")
        if len(p) > 3 and "\\" not in p and p not in ("Turkey", "China")
    )
    + r")\b",
    re.I,
)


def asks_scope(question: str) -> str | None:
    """ "ship" or "use" for a question asking whether the product may be sent to, or used
    in, a place ("can my cousin in Canada use it?", "能寄到国外吗？", "can I spend it
    online?", "can you ship it to toronto, canada?"); None otherwise."""
    question = question or ""
    if not (
        _ANSWER_HELD["place"].search(question)
        or _SCOPE_PLACE.search(question)
        or _PLACE_ANY_CASE.search(question)
    ):
        return None
    return next((how for how, asked in _SCOPE_ASKED.items() if asked.search(question)), None)


def states_scope(text: str, how: str) -> bool:
    """Whether a record bounds where the product is sent or used (asks_scope's `how`):
    a place and a word of sending or of using ("This item is not eligible for
    international shipping", "Redeemable in-store only")."""
    text = text or ""
    if how == "use" and _SCOPE_HELD["ship"].search(text):
        return False  # "can be shipped only within the U.S." bounds the sending only
    placed = _ANSWER_HELD["place"].search(text) or _SCOPE_PLACE_HELD.search(text)
    return bool(placed) and bool(_SCOPE_HELD[how].search(text))


# Asking what the product's buyers say of something ("do reviewers mention the fit?",
# "what are runners saying about the grip?", "has anyone had trouble with it?",
# "买家有没有说会不会过期？", "买过的人说膝盖舒服吗", "有人评价过寿司好不好吃吗"): the words
# that ask it, cut from the question so what is left is what they are asked about.
_BUYERS = (
    r"(?:the\s+|other\s+|any\s+)?(?:reviewers?|reviews?|buyers?|customers?|purchasers?|people"
    r"|folks|ppl|owners?|users?|anyone|anybody|someone|somebody|others|runners|hikers|cyclists"
    r"|riders|parents|moms|mums|dads|nurses|teachers|students|gamers|campers|cooks|chefs)"
    r"(?:\s+(?:who|that)\s+(?:have\s+|'ve\s+)?(?:bought|got|own|owned|tried|used|wore|worn"
    r"|carried|had)(?:\s+(?:it|them|one|these|this(?:\s+one)?))?)?"
)
_SAY = (
    r"(?:say|says|said|saying|mention(?:s|ed|ing)?|talk(?:s|ed|ing)?\s+about|report(?:s|ed|ing)?"
    r"|complain(?:s|ed|ing)?\s+about|think\s+(?:of|about)|thought\s+(?:of|about)"
    r"|feel\s+about|write|wrote|written|comment(?:s|ed)?\s+on|had|experienced|noticed|found"
    r"|finding)"
)
_REVIEWERS_ASKED = re.compile(
    rf"(?i:\b(?:what\s+)?(?:do|does|did|have|has|are|were|is)\s+(?:any\s+)?(?:of\s+)?{_BUYERS}"
    rf"\s+(?:(?:ever|actually|really|also|generally|usually|mostly|typically|normally)\s+)?"
    rf"{_SAY}\b"
    rf"|\bwhat\s+{_BUYERS}\s+{_SAY}\b"
    r"|\b(?:according to|in|from|per)\s+(?:the\s+|its\s+)?(?:reviews|reviewers|buyers|customers)\b"
    r"|\bany\s+(?:reviews?|reviewers?|buyers?)\s+(?:that\s+|who\s+)?(?:say|mention|talk|about)\w*\b)"
    r"(?:\s+(?:about|that|if|whether|of|on|anything\s+about))?"
    r"|(?:买家|买过的人|用过的人|买了的人|买过[^，。？！,.?!]{1,30}?的人|网友|顾客|用户|有人|评价|评论)"
    r"(?:里|中|们)?(?:都|也|有|有没有|有人)?(?:说|提到|提过|反映|反馈|评价|觉得|讲|怎么说|怎么评价)过?"
    r"(?!明|话)"  # not 用户说明书 (a user manual)
)


def reviewers_asked(question: str) -> str | None:
    """The question without the words that ask what its buyers say, when it asks that
    ("did anyone mention whether the amount was easy to confirm?" -> "whether the amount
    was easy to confirm?"); None for a question of the product itself."""
    question = question or ""
    if not _REVIEWERS_ASKED.search(question):
        return None
    left = " ".join(_REVIEWERS_ASKED.sub(" ", question).split())
    return re.sub(r"\s+([?？.!,，。！])", r"\1", left)


def name_terms(product, question: str = "") -> frozenset[str]:
    """The words that name a product: its brand and categories, its translated title,
    and the words of its title that a question says in a run with its brand or model
    ("the Pulsewear Peak 800 4mm natural rubber yoga mat": all of them; "the GPS on the
    Pulsewear Flex 900": not "GPS", which the title lists and the question asks about);
    without a question, every word of its title."""
    texts = [product.brand or "", *product.categories, *product.title_i18n.values()]
    own = {t for text in texts if text for t in content_terms(text)}
    title = set(content_terms(product.title))
    if not question:
        return frozenset(own | title)
    # a phrase that points at it by its kind ("this knife set") names it: a determiner
    # and words of its title up to the title's own kind word
    kind = re.split(r"\s+(?:with|for|in)\s+|,", product.title)[0].split()
    pointed = naming_words(question)
    if kind and stem(kind[-1].casefold()) in pointed:
        own |= pointed & title
    anchors = set(content_terms(f"{product.brand or ''} {model_name(product) or ''}"))
    written = {w.casefold() for w in _LATIN_WORD.findall(product.title)}
    run: list[str] = []
    for word in [*_LATIN_WORD.findall(question), ""]:
        terms = content_terms(word) if word else []  # "non-slip": non, slip
        if terms and all(t in title or t in anchors for t in terms):
            run += terms
            continue
        if run and word.casefold() in written:
            continue  # "with" of "... yoga mat with non-slip, Black": the title goes on
        if anchors & set(run):
            own.update(run)
        run = []
    return frozenset(own)


def model_name(product) -> str | None:
    """The model name in a title after the brand: "Aero 300" in "TrailPeak Aero 300 ..."."""
    title, brand = product.title, product.brand
    if brand and title.startswith(brand):
        rest = title[len(brand) :].split()
        if len(rest) >= 2 and re.fullmatch(r"[\w-]*\d[\w-]*", rest[1]):
            return f"{rest[0]} {rest[1]}"
    return None


def names_product(term: str, own: frozenset[str]) -> bool:
    """Whether a question's word names the product (name_terms) rather than asks about
    it: one of its words, the end of one ("watch" of "smartwatch"), a Chinese word whose
    English sense is among them ("礼品卡" of a "Gift Card"), or one Chinese character."""
    if names_kind(term, own):
        return True
    if not _HAN.match(term):
        return False
    if len(term) < 2:
        return True
    return any(all(stem(w) in own for w in sense.split()) for sense in english_words(term))


def answer_kinds(question: str) -> set[str]:
    """What kind of thing answers the question, where its words say so: "size",
    "fit" (a size one wears: "Large"), "weight", "time", "range", "material", "colour" or
    "place"
    ("how long" asks a size or a time); empty otherwise."""
    return {kind for kind, asked in _ANSWER_ASKED.items() if asked.search(question or "")}


def answer_kind_words(question: str) -> str:
    """The words of the question that say what kind of thing answers it ("which
    states", "how big", 哪些州), joined: they ask for the kind, they are not what a
    record answering it holds."""
    spans = (m.group(0) for asked in _ANSWER_ASKED.values() for m in asked.finditer(question or ""))
    return " ".join(spans)


# The verb after a modal and the product it asks of ("what voltage range will this pick
# up?", "what range of wavelengths can the EISCO spectroscope read?"): it says what the
# product does with what is asked, not a thing a record must hold.
_MODAL_VERB = re.compile(
    r"\b(?:can|could|will|would|does|do|did)\s+(?:it|this|that|they|these|those"
    r"|(?:the|this|that|your)\s+[\w-]+(?:\s+[\w-]+){0,3})\s+([a-z]+)\b",
    re.I,
)


def modal_verbs(question: str) -> set[str]:
    """The key words of the verbs said after a modal and its subject (_MODAL_VERB)."""
    return {t for m in _MODAL_VERB.finditer(question or "") for t in content_terms(m.group(1))}


def holds_answer_kind(text: str, kinds: set[str]) -> bool:
    """Whether a record holds an expression of one of `kinds` (answer_kinds): a size
    with its unit, a weight, a length of time, a span, a material, a place."""
    return any(_ANSWER_HELD[kind].search(text or "") for kind in kinds)


def held_answer(text: str, kinds: set[str]) -> str | None:
    """The first expression of one of `kinds` the text holds ("65L" of "... 65L
    waterproof backpack" for a size), None when it holds none."""
    found = [m for kind in sorted(kinds) if (m := _ANSWER_HELD[kind].search(text or ""))]
    return min(found, key=lambda m: m.start()).group(0) if found else None


def asks_graded(question: str) -> bool:
    """Whether the question asks for the grade of something ("what's the water
    resistance rating?", "IP rating?", "防水等级是多少？"): answered by a record that
    gives one (a number or a code), not by one that only talks about the thing."""
    said = question.casefold()
    return any(v in said for v in _VALUE_OF) and not any(
        w in _VALUE_OF for w in content_words(question)
    )


def asks_quantity(question: str) -> bool:
    """A question answered by a number: "how many", "how long", "what size", "多少", "几"."""
    return bool(_QUANTITY_ASKED.search(question or ""))


# A number said with what it counts or measures ("12-cup", "20 hours", "4杯", "5ATM"), not
# an ordinal ("2nd", "第2个") or a price ("$50").
_SAID_NUMBER = re.compile(
    r"(?<![\d.$¥€£第])(\d+(?:\.\d+)?)(?!\s*(?:st|nd|rd|th)\b)"
    r"(?=\s*-?\s*([A-Za-z]+|[\u4e00-\u9fff]))",
    re.I,
)
# The Chinese just after a number ("4杯的吗"): its first word is the unit or the measure
# word of what is counted (杯, 寸, 双), kept as a key word unless it is money.
_ZH_AFTER_NUMBER = re.compile(r"(?<![第\d.])\d+(?:\.\d+)?\s*([\u4e00-\u9fff]+)")
_ZH_MONEY = frozenset("元 块 块钱 美元 刀 美金 欧元 英镑 日元 人民币 毛 分".split())  # noqa: SIM905


def said_numbers(question: str) -> list[str]:
    """The numbers a question says with a unit or a thing ("is it 12-cup?" -> 12): a yes
    needs a record that says the same number."""
    return [
        m.group(1)
        for m in _SAID_NUMBER.finditer(question or "")
        if _HAN.match(m.group(2)) or not is_stopword(m.group(2))  # not "1 to 5"
    ]


def holds_number(text: str, number: str) -> bool:
    """Whether a record says the number as a number of its own (12 in "12-cup", not in
    "112" or "1.25")."""
    value = float(number)
    numbers = re.findall(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.]*\d)", text or "")
    return any(float(n) == value for n in numbers)


def has_quantity(text: str) -> bool:
    """Whether a record states a quantity: a number with its unit ("20-hour", "2.2 LBS",
    "5 Pack"), a price, or a number in words ("a week")."""
    return bool(_QUANTITY.search(text or ""))


@functools.lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """boots -> boot, batteries -> battery, watches -> watch, cleaning -> clean, rated -> rat(e),
    women's -> women; movie and movies -> movy (as battery); British spellings as American
    (theatre -> theater, colour -> color)."""
    w = word.casefold()
    if w.endswith(("'s", "’s")) and len(w) > 3:
        return stem(w[:-2])  # a possessive: the word itself
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif (len(w) > 4 and w.endswith("ed")) or (
        len(w) > 3 and w.endswith("es") and (w[-3] in "sxz" or w[-4:-2] in ("ch", "sh"))
    ):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 4 and w.endswith("ie"):
        return w[:-2] + "y"  # movie: the same stem as its plural, movies
    if len(w) > 4 and w.endswith(("tre", "bre")):
        return w[:-2] + "er"  # theatre, fibre
    if len(w) > 5 and w.endswith("our"):
        return w[:-3] + "or"  # colour, flavour
    return w


def content_terms(text: str) -> list[str]:
    """The key words of a question (stemmed English words, Chinese words), in order."""
    return list(dict.fromkeys(stem(w) if not _HAN.match(w) else w for w in content_words(text)))


def content_words(text: str) -> list[str]:
    """The key words of a question as written."""
    return list(_content_words(text or ""))


# Words that ask for the value of the word before them ("water resistance rating",
# "IP rating", "防水等级"): the answer is that value, and no record need say "rating".
_VALUE_OF = frozenset("rating ratings grade level class 等级 级别".split())  # noqa: SIM905


@functools.lru_cache(maxsize=65536)
def _content_words(text: str) -> tuple[str, ...]:
    out: list[str] = []
    after_word = False  # the run before was a key word
    for run in _RUN.findall(text or ""):
        if _HAN.match(run):
            run = _A_NOT_A.sub(r"\1", run)  # "耐不耐磨" asks whether it is 耐磨
            kept = [w for w in _content_segments(run) if w not in _ZH_STOP and not _only_stop(w)]
            # "防水等级": the grade of water resistance is asked, not a word "等级"
            out.extend(w for k, w in enumerate(kept) if not (k and w in _VALUE_OF))
            after_word = False
        elif not is_stopword(run) and not run.isdigit():
            # "water resistance rating", "IP rating": the value of the word before
            if not (after_word and run.casefold() in _VALUE_OF):
                out.append(run.casefold())
            after_word = True
        else:
            after_word = False
    if not out:
        # "第一个是4杯的吗？": a measure word alone is no key word, but where nothing else
        # is, the one after a number is what is asked (money is not)
        for run in _ZH_AFTER_NUMBER.findall(text or ""):
            first = quiet_jieba().posseg.lcut(run)[0].word
            if first not in _ZH_MONEY and not _only_stop(first):
                out.append(first)
    return tuple(dict.fromkeys(t for t in out if len(t) > 1 or _HAN.match(t)))


# The A-not-A of a question ("快不快", "耐不耐磨", "有没有"): the word once
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")


def whole_word(word: str) -> str:
    """A pattern for the word as a whole word: a Latin word with no letter or digit on
    either side, Chinese characters or not ("PLA" of "PLA耗材"); a Chinese word as it is."""
    if _HAN.match(word):
        return re.escape(word)
    return rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])"


def contains_term(text: str, term: str) -> bool:
    """Whether a record's text has the word (stem-matched in English, a substring in
    Chinese). An English word of four letters or more also matches the words made of
    it by an ending that keeps its meaning ("grind" -> grinder, "rain" -> rainy,
    "charge" -> charger, "thick" -> thickness, "wood" -> wooden), not a word of its own
    that begins with it ("read" -> ready, "plan" -> planet)."""
    if _HAN.match(term):
        return term in text
    if " " in term:  # a phrase: its words in a row ("heart rate")
        return _phrase_in(text, tuple(term.split()))
    if re.search(r"[-'’]", term.strip("-'’")):
        # "high-carbon": its parts in a row, hyphenated or not; "o'charley" as the
        # records write it ("O'Charley's")
        return _phrase_in(text, stem_list(term))
    stems = _stems(text)
    if term in stems:
        return True
    if len(term) in (2, 3) and term.isalpha() and _coded(text, term):
        return True  # "IP" of "IPX7", "USB" of "USB3": a code made of the word
    # "accurate" of "±0.1 pH Accuracy", "durable" of "durability"; "location" of
    # "stores located in" (stemmed "locat"), and the other way round
    alts = _derived(term) or _derived(term + "e")
    if any(alt in stems or (alt.endswith("e") and alt[:-1] in stems) for alt in alts):
        return True
    if len(term) >= 4 and term + "e" in stems and _not_a_word(term):
        return True  # "balanced" (stemmed "balanc") of "the balance feels perfect"
    if len(term) >= 5 and term.endswith("e"):
        root = term[:-1]  # "commute" of "Bought it for commuting" (stemmed "commut")
        if root in stems or any(s.startswith(root) and s[len(root) :] in _E_DROPPED for s in stems):
            return True  # "expire" of "No expiration", "adore" of "adorable"
    return len(term) >= 4 and any(derives(term, s) for s in stems)


def _not_a_word(stemmed: str) -> bool:
    """A stem cut from a word ending in e ("balanc" of balanced, "pric" of priced), not
    a word of its own that another word adds an e to ("strip" / stripe, "plan" / plane)."""
    words = english_vocabulary()
    return bool(words) and stemmed not in words


@functools.lru_cache(maxsize=8192)
def _code_of(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(term)}x?\d", re.I)


def _coded(text: str, term: str) -> bool:
    """Whether the text has a code made of a short word and a number ("IPX7", "IP68",
    "USB3", "Cat6"): the word names the standard the code is of."""
    return bool(_code_of(term).search(text))


# The endings that make a related word of a longer one: grind -> grinder, charge ->
# charger, warm -> warmest, rain -> rainy, thick -> thickness, light -> lightly; with a
# doubled consonant, grip -> gripper, sun -> sunny.
# A verb and the noun or adjective made of it: install -> installation, adjust ->
# adjustment, wash -> washable (after a final e dropped: expire -> expiration); what
# keeps a thing out: wind -> windproof.
_SUFFIXES = frozenset({
    "r", "er", "st", "est", "y", "ly", "ness", "ation", "ment", "able", "proof", "en",
})  # fmt: skip
_E_DROPPED = frozenset({"ation", "able"})
_DOUBLED = frozenset({"er", "est", "y"})
# Words that begin as another word and an ending but are words of their own: "ready" is
# no reading, "handy" no hand, a "sweater" no sweat.
_FALSE_FRIENDS = frozenset({
    "ready", "handy", "party", "county", "study", "bully", "belly", "buddy", "early",
    "corner", "number", "sweater", "shower", "flower", "slipper", "butter", "letter",
    "tower", "power", "dinner", "hammer", "summer", "banner", "manner", "matter",
    "portable", "basement", "apartment", "department", "formation", "vegetable",
    "listen", "warden", "fasten", "garden", "often", "heaven", "kitten", "token", "broken",
})  # fmt: skip


def derives(term: str, word: str) -> bool:
    """`word` is `term` with an ending that keeps its meaning."""
    if term.endswith("y") and word.startswith(term[:-1] + "i") and word not in _FALSE_FRIENDS:
        return word[len(term) :] in ("er", "ers")  # "magnify" of "Magnifiers"
    if not word.startswith(term) or word in _FALSE_FRIENDS:
        return False
    ending = word[len(term) :]
    # "shipp" (shipping, shipped, as stemmed): the consonant doubled before an ending
    doubled = ending[:1] == term[-1] and (ending[1:] in _DOUBLED or len(ending) == 1)
    return ending in _SUFFIXES or doubled


# An adjective or verb and the noun made from it: "accurate" / "accuracy", "resistant" /
# "resistance", "durable" / "durability", "calibrate" / "calibration".
_DERIVED = (
    ("ate", "acy"), ("ate", "ation"), ("ate", "ion"), ("able", "ability"),
    ("ible", "ibility"), ("ive", "ivity"), ("ent", "ence"), ("ent", "ency"),
    ("ant", "ance"), ("ant", "ancy"),
)  # fmt: skip


@functools.lru_cache(maxsize=8192)
def _derived(term: str) -> tuple[str, ...]:
    out = []
    for a, b in _DERIVED:
        for end, other in ((a, b), (b, a)):
            if term.endswith(end) and len(term) - len(end) >= 3:
                out.append(term[: -len(end)] + other)
    return tuple(out)


def names_kind(term: str, own: set[str]) -> bool:
    """Whether a question's word only names the product's kind or brand: one of its
    words, or the end of one ("watch" of "smartwatch")."""
    return term in own or (len(term) >= 4 and any(w.endswith(term) for w in own))


@functools.lru_cache(maxsize=8192)
def stem_list(text: str) -> tuple[str, ...]:
    """A text's English words and numbers, stemmed, in order."""
    return tuple(stem(w) for w in re.findall(r"[A-Za-z0-9]+", text))


def _phrase_in(text: str, words: tuple[str, ...]) -> bool:
    seq = stem_list(text)
    n = len(words)
    return any(seq[i : i + n] == words for i in range(len(seq) - n + 1))


@functools.lru_cache(maxsize=8192)
def _stems(text: str) -> frozenset[str]:
    return frozenset(stem_list(text))


def is_stopword(word: str) -> bool:
    lowered = word.casefold()
    return lowered in _EN_STOP or stem(lowered) in _EN_STOP or word in _ZH_STOP


_OTHER_ASKED = re.compile(
    r"\b(?:other|another|different)\s+\w+|其他|其它|别的|另外的",
    re.I,
)


def asks_other(question: str) -> bool:
    """Whether the question asks about other values than the one a record gives ("does
    it come in other colors?", "有别的颜色吗？"): the record's one value is no yes."""
    return bool(_OTHER_ASKED.search(question))


def is_polar(question: str) -> bool:
    """A yes-no question ("is it waterproof?", "它防水吗？")."""
    return bool(_POLAR.search(question.strip()))


def asked_part(question: str) -> str:
    """The sentences of a message that ask, when it also says other things: "这个能定时吗？
    想早上起床就有咖啡喝。" asks about 定时; the second sentence says why. The whole
    message when no sentence asks or every one does."""
    sentences = [s for s in _SENTENCE.split(question or "") if s.strip()]
    if len(sentences) == 1 and _HAN.search(sentences[0]):
        # "想在家自己做拿铁，这台Flex 200能打奶泡吗？": a last clause that asks, after ones
        # that say why, is what is asked (not "有没有大一点的，能装下15寸电脑的")
        clauses = [c for c in re.split(r"[，,]", sentences[0]) if c.strip()]
        if (
            len(clauses) > 1
            and is_polar(clauses[-1])
            and not any(is_polar(c) for c in clauses[:-1])
        ):
            return clauses[-1]
    asking = [s for s in sentences if re.search(r"[?？]\s*$", s) or is_polar(s)]
    if asking and len(asking) < len(sentences):
        return " ".join(asking)
    return question or ""


def question_clauses(question: str) -> list[str]:
    """The pieces of the part of a question that asks (asked_part), cut at commas, dashes
    and the words that join alternatives or items ("popcorn and snacks too, or just
    tickets?" -> "popcorn", "snacks too", "just tickets"): a record that answers one piece
    reads closer to it than to the whole question. The asked part itself when it has
    one piece."""
    asked = asked_part(question)
    pieces = [c.strip() for c in _CLAUSE.split(asked) if c and len(c.strip()) > 2]
    return pieces or [asked]


_CLAUSE = re.compile(r"[,，;；、—]|\s-\s|\b(?:or|and)\b|还是|或者", re.I)


# Sentences, and a clause that asks after a comma ("the Luxe 700 or the Flex 200, have a
# built-in grinder?": the alternatives are the products, not what is asked of them).
_CLAUSE_ASKS = re.compile(
    r"[?.!;？。！；]|[,，]\s*(?=(?:have|has|is|are|was|were|do|does|did|can|could|will|would"
    r"|should)\b)",
    re.I,
)


def alternatives(question: str) -> list[set[str]]:
    """The key words a question offers as alternatives, one set per "or": the last key
    word before it and those after it in the same sentence ("cut for men or women" ->
    {men, women}; "容易生锈或者留下污渍吗" -> {生锈, 留下, 污渍}). A record that holds
    one of them answers the question; it asks which, not whether all hold."""
    out = []
    for sentence in _CLAUSE_ASKS.split(question or ""):
        parts = _OR.split(sentence)
        group: set[str] = set()
        for i, part in enumerate(parts[1:] and parts):
            terms = content_terms(part)
            group.update(terms[-1:] if i == 0 else terms)
        if len(group) > 1:
            out.append(group)
    return out


# ", or do I need to buy them separately?", "or does it soak through?", "or just the
# tickets?": a second clause that asks the other way round, or narrows to less
_CONVERSE = re.compile(
    r",?\s+or\s+(?=(?:(?:do|does|did|is|are|was|were|will|would|can|could|should|must|have"
    r"|has|am)\s+(?:i|we|you|it|they|he|she|this|these|those|that|there|one)\b)|just\b|only\b"
    r"|simply\b|merely\b)",
    re.I,
)


def polar_part(question: str) -> str:
    """The yes-no question a message asks before a converse second clause ("Is the filter
    washable, or do I need to keep buying replacements?" -> "Is the filter washable?";
    "does it work at haru ramen or just the sushi spot?" -> "does it work at haru
    ramen?"): a yes or no answers the first. The question itself where it has none."""
    m = _CONVERSE.search(question or "")
    if m is None:
        return question or ""
    first = question[: m.start()].rstrip(" ,")
    return first + "?" if is_polar(first) and content_terms(first) else question


def asks_count(question: str) -> bool:
    """A question asking how many of something ("how many gift cards can it hold?",
    "一盒有多少个？", "这一包里有几个稳压管？")."""
    return bool(_COUNT_ASKED.search(question or ""))


def counted_words(question: str) -> list[str]:
    """The words naming what a "how many" question counts: English, stemmed, up to the
    first function word ("how many gift cards can this holder fit?" -> [gift, card]);
    Chinese, the key words after the measure word in its clause ("几个稳压管" ->
    [稳压管], "几个小时" -> [小时]). Empty when it counts the product itself ("how many
    come in a box?", "一盒有多少个？")."""
    m = re.search(r"\bhow\s+many\s+(.*)", question or "", re.I)
    if m:
        out: list[str] = []
        for word in re.findall(r"[A-Za-z][A-Za-z'-]*", m.group(1)):
            if is_stopword(word):
                break
            out.append(stem(word.casefold()))
        return out[:3]
    m = re.search(rf"(?:几|多少)\s*[{_MEASURE}]([^，,。？?！!；;]*)", question or "")
    return content_terms(m.group(1))[:1] if m else []


def is_unit(word: str) -> bool:
    """A unit of measure or of time, not a thing one counts in a package: "hour", "watt",
    "people", 小时, 人 ("how many hours" is not answered by "5 Pack")."""
    return bool(_UNIT_WORD.fullmatch(word or "")) and not _PACK_WORD.fullmatch(word or "")


def states_count(text: str, counted: list[str] = ()) -> bool:
    """Whether a record says how many: of the counted thing, a number before its last
    word ("6 pockets" for "how many pockets"); of the product itself (no counted words:
    "how many in a box?", "一盒有多少个？"), a pack count ("5 Pack", "pack of 5 pieces",
    "100 Count", "holds up to 20", "50个装")."""
    if counted and _PIECE.fullmatch(counted[-1]):
        counted = []  # "how many pieces in the pack?": the pack count ("100 Pcs")
    if counted:
        head = re.escape(counted[-1])
        # a number that is part of a size ("1/4-20 SS hex nut", "3.5-inch") counts nothing
        return bool(
            re.search(
                rf"(?<![\d/.x×-])\d[\d,]*\+?\s*(?:[A-Za-z-]+\s+){{0,2}}{head}", text or "", re.I
            )
        )
    return bool(_PACK_COUNT.search(text or ""))


def pack_count(text: str) -> str | None:
    """How many come in it, as the text says it ("Pack of 100", "100 Pcs", "Box/100"),
    or None. Not what it holds or fits ("Fits 3 Inch Pipe"), which a record answering
    "how many?" may say but a title does not count by."""
    found = (m.group(0) for m in _PACK_COUNT.finditer(text or ""))
    return next((f for f in found if not _HOLDS.match(f)), None)


_HOLDS = re.compile(r"(?:contains|includes|holds|fits)\b", re.I)


# "which one is cheaper?", "它和第二个比哪个更便宜？": a comparative asked of the products
# in view picks one as a superlative does.
_WHICH_MORE = re.compile(
    r"\bwhich\b.*\b(?:longer|bigger|larger|higher|greater|heavier|thicker|stronger|wider"
    r"|pricier|dearer|more expensive|holds? more|more (?:room|space|stuff))\b"
    r"|哪.{0,6}更(?:长|多|大|高|重|厚|久|强|宽|贵|耐用|持久)",
    re.I,
)
_WHICH_LESS = re.compile(
    r"\bwhich\b.*\b(?:shorter|smaller|lower|lighter|thinner|cheaper|fewer|narrower"
    r"|less expensive)\b|哪.{0,6}更(?:短|少|小|低|轻|薄|便宜|窄|实惠)",
    re.I,
)


# What a superlative (or a comparative) measures, as the word a record names it by:
# "which is the thickest?" is answered by `thickness: 8mm`, 哪个最重 by a weight.
_DIMENSIONS = (
    (_COMPACT, "size"),
    (r"thick|thin|厚|薄", "thickness"),
    (r"heav|light|weigh|重|轻", "weight"),
    (r"long|short|长|短", "length"),
    (r"wide|wid|narrow|宽|窄", "width"),
    (r"tall|high|height|高|矮", "height"),
    (r"hold|room|space|stuff|装|容量", "capacity"),
    (r"big|large|small|大|小", "size"),
)
_MEASURED = re.compile(
    r"\b(?:thickest|thinnest|heaviest|lightest|longest|shortest|widest|narrowest|tallest"
    r"|highest|biggest|largest|smallest|thicker|thinner|heavier|lighter|longer|shorter|wider"
    r"|narrower|taller|higher|bigger|larger|smaller)\b|(?:最|更)(?:厚|薄|重|轻|长|短|宽|窄|高|矮|大|小)"
    # what it holds: "which one holds more stuff?", "哪个装得更多？", "容量更大"
    r"|\bholds?\s+(?:the\s+)?(?:more|most)(?:\s+(?:stuff|things|gear|room|space))?\b"
    r"|\bmore\s+(?:room|space|stuff)\b"
    r"|装得?(?:更|最)多|容量(?:更|最)大"
    rf"|{_COMPACT}",
    re.I,
)


def measured_words(question: str) -> set[str]:
    """The key words of the phrase that says what is compared ("holds more stuff"): they
    ask the dimension, not something a record must hold."""
    m = _MEASURED.search(question or "")
    return set(content_terms(m.group(0))) if m else set()


def measured_dimension(question: str) -> str | None:
    """The dimension a superlative or comparative question compares ("which one is the
    thickest?" -> "thickness", "哪个最轻？" -> "weight"), None when it names none (or a
    price: "cheapest" is answered from the prices)."""
    m = _MEASURED.search(question or "")
    if m is None:
        return None
    word = m.group(0).casefold()
    return next((name for rx, name in _DIMENSIONS if re.search(rx, word)), None)


def superlative(question: str) -> str | None:
    """ "max" for "which lasts longest" (or "which is heavier?"), "min" for "which is
    lightest" ("哪个更便宜？"), else None."""
    if _COMPACT_ASKED.search(question):
        return "min"  # "the most compact" is the smallest
    if _MOST.search(question) or _WHICH_MORE.search(question):
        return "max"
    if _LEAST.search(question) or _WHICH_LESS.search(question):
        return "min"
    return None


def negated_near(text: str, term: str, window: int = 3, made_of: bool = False) -> bool:
    """A negation word among the few words before the term ("not waterproof", "不防水"),
    or with `made_of` before a word made of it, as `contains_term` finds one ("no
    expiration date" of "expire")."""
    if _HAN.match(term):
        at = text.find(term)
        return at > 0 and bool(_NEGATION.search(text[max(0, at - 3) : at]))
    words = re.findall(r"[A-Za-z0-9']+", text)
    for i, word in enumerate(words):
        if stem(word) == term or (made_of and " " not in term and contains_term(word, term)):
            before = " ".join(words[max(0, i - window) : i])
            if _NEGATION.search(before):
                return True
    return False


def _only_stop(word: str) -> bool:
    return all(ch in "的了吗呢么吧啊呀个款件" for ch in word)


def _segment(run: str) -> list[str]:
    return jieba_words(run, search=False)


def chinese_words(run: str) -> list[str]:
    """jieba's plain segmentation of a run of Chinese ("买一双跑鞋" -> 买, 一双, 跑鞋)."""
    return _segment(run)


# jieba's tags of words that carry no content: pronouns, numerals, measure words,
# prepositions, localisers, particles, adverbs, conjunctions, modal particles.
_FUNCTION_TAGS = ("r", "m", "q", "p", "f", "u", "d", "c", "y", "e", "o", "zg")


# Adverbs that carry no content; jieba also tags some content words as adverbs
# ("定时", on a timer) and units as measure words ("毫升", "公斤"), which are kept.
_ZH_ADVERBS = frozenset(
    """已经 非常 一直 一定 马上 经常 总是 真的 特别 比较 稍微 到底 究竟 其实 一起 只是 大概
    可能 肯定 不太 有点 还是 一般 十分 确实 实在 完全 容易 只能 能否 是否 必须 一共 总共
    到时候 大约 差不多 多长时间 多长 多久 多大 多重 多高""".split()  # noqa: SIM905
)


def _content_segments(run: str) -> list[str]:
    posseg = quiet_jieba().posseg  # configured before its part-of-speech tagger loads

    return [
        w.word
        for w in _rejoined(posseg.lcut(run))
        if w.word.strip()
        and w.word not in _ZH_ADVERBS
        and (
            not w.flag.startswith(_FUNCTION_TAGS)
            or (w.flag in ("d", "q") and len(w.word) >= 2 and w.word[0] not in "这那每几一")
        )
    ]


# Tags of pieces a word is never rejoined across: pronouns, prepositions, particles,
# conjunctions, modal particles.
_GLUE_TAGS = ("r", "p", "u", "c", "y")


def _rejoined(pairs: list) -> list:
    """jieba's pieces with a word its dictionary lacks put back together: where it
    cut a single character off a word CC-CEDICT knows (赛|百味 -> 赛百味, Subway;
    晒|伤 -> 晒伤, sunburn; 点|餐 -> 点餐), the pieces are joined and kept as a noun;
    where it glued a measure word or a modal verb to a word (张卡, 副耳机, 能测, 卡能),
    the two are cut apart."""
    from jieba.posseg import pair  # jieba loads only once quiet_jieba configured it

    pairs = [half for p in pairs for half in _unglued(p, pair)]
    out, i = [], 0
    while i < len(pairs):
        for n in (3, 2):
            piece = pairs[i : i + n]
            word = "".join(p.word for p in piece)
            if (
                len(piece) == n
                and len(word) <= 4
                and any(len(p.word) == 1 for p in piece)
                and all(_HAN_WORD.fullmatch(p.word) for p in piece)
                and not any(p.flag.startswith(_GLUE_TAGS) for p in piece)
                and word not in _ZH_STOP
                and word not in _ZH_ADVERBS
                and senses(word)
            ):
                out.append(pair(word, "n"))
                i += n
                break
        else:
            out.append(pairs[i])
            i += 1
    return out


_HAN_WORD = re.compile(r"[\u4e00-\u9fff]+")
_LEADING = frozenset("张副双把个只件台块款瓶盒包套能可会要连")  # measure words, modal verbs
_TRAILING = frozenset("能会用")


def _unglued(p, pair) -> list:
    """A piece the dictionary lacks, cut into a measure word or modal verb and the word
    it was glued to, when that word is one."""
    word = p.word
    if len(word) < 2 or not _HAN_WORD.fullmatch(word) or senses(word):
        return [p]
    head, rest = word[0], word[1:]
    if head in _LEADING and (len(rest) == 1 or senses(rest)):
        return [pair(head, "q"), pair(rest, "n")]
    head, rest = word[:-1], word[-1]
    if rest in _TRAILING and (len(head) == 1 or senses(head)):
        return [pair(head, "n"), pair(rest, "v")]
    return [p]


# What a title says after "for" is what the product serves, not what it is: "Hard Travel
# Case for Etekcity ... Digital Multimeters" is a case.
_FOR = re.compile(r"\s(?:for|fits|fit for|compatible with|replacement for)\s|适用于", re.I)
_TITLE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")
MIN_KIND_TITLES = 3


def title_parts(title: str, brand: str = "") -> tuple[set[str], set[str]]:
    """The stems of a title (or a request) before and after its first "for", the brand
    left out."""
    if brand and title.casefold().startswith(brand.casefold()):
        title = title[len(brand) :]
    parts = _FOR.split(title, maxsplit=1)
    head, tail = parts[0], parts[1] if len(parts) > 1 else ""
    return (
        {stem(w) for w in _TITLE_WORD.findall(head)},
        {stem(w) for w in _TITLE_WORD.findall(tail)},
    )


# Words that join the name of what a product is to what follows it in a title.
TITLE_JOINS = frozenset("for with w and in of by to from x or plus fits compatible".split())  # noqa: SIM905
# Words that count a product and say nothing of what it is ("Drill Bit Set": a bit).
COUNT_WORDS = frozenset(
    """set sets kit kits pack packs pcs pc piece pieces count assortment assorted bundle pair
    pairs lot value combo collection variety bulk""".split()  # noqa: SIM905
)
_TITLE_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|[^\sA-Za-z]+")


def title_heads(title: str) -> list[str]:
    """The stems that end a run of words in a title, the words that name what the
    product is ("Plastic Test Tubes & Caps, Clear": tube, cap, clear; "Yeast Nutrient
    1 lb.": nutrient, lb): the last word before punctuation, a number, a joining word
    ("for", "with") or the end, count words after it passed over ("Drill Bit Set": bit)."""
    tokens = _TITLE_TOKEN.findall(title)
    heads = []
    for i, token in enumerate(tokens):
        if not token[0].isalpha() or token.casefold() in TITLE_JOINS:
            continue
        word = stem(token)
        if word in COUNT_WORDS:
            continue
        j = i + 1
        while j < len(tokens) and tokens[j][0].isalpha() and stem(tokens[j]) in COUNT_WORDS:
            j += 1
        if j == len(tokens) or not tokens[j][0].isalpha() or tokens[j].casefold() in TITLE_JOINS:
            heads.append(word)
    return heads


def title_before_for(title: str) -> str:
    """A title's words before its first "for" ("Plastic Test Tube Rack for 15/17 mm
    Tubes" -> "Plastic Test Tube Rack"): what it is, not what it goes with."""
    return _FOR.split(title, maxsplit=1)[0]


def head_words(titles: Iterable[str]) -> frozenset[str]:
    """The catalog's words that name what a product is: the end of a run of title words
    (`title_heads`) in at least MIN_KIND_TITLES titles and at least half the times the
    title word is used ("yeast" where "Wine Yeast, 5g" is common; not "yoga" of "Yoga
    Mat", nor "fleece" of "Fleece Jacket")."""
    used: Counter = Counter()
    ends: Counter = Counter()
    for title in titles:
        used.update(stem(w) for w in _TITLE_TOKEN.findall(title) if w[0].isalpha())
        ends.update(title_heads(title))
    return frozenset(w for w, n in ends.items() if n >= MIN_KIND_TITLES and 2 * n >= used[w])


def is_chinese_head(titles: Iterable[str], word: str) -> bool:
    """Whether the Chinese word ends a run of Chinese in at least MIN_KIND_TITLES of the
    Chinese titles and at least half the times it is used ("羽绒服" of "男款防风羽绒服 橄榄
    绿"; not "酵母" of "酵母营养剂")."""
    used = ends = 0
    for title in titles:
        for m in re.finditer(re.escape(word), title):
            used += 1
            ends += not _HAN.match(title[m.end() : m.end() + 1] or " ")
    return ends >= MIN_KIND_TITLES and 2 * ends >= used


# Of the products a word names by title or description, the share whose titles say it
# for the titles to tell the kind (books' titles seldom name a genre: romance 5 %;
# Industrial & Scientific's name magnets 75 %, nozzles 56 %, of description openings)
KIND_BY_TITLE = 0.5
DESCRIPTION_OPENING = 400  # the characters of a description read for the kind


def description_opening(product) -> str:
    """Where a product's description says what it is: its first characters."""
    return (product.description or "")[:DESCRIPTION_OPENING]


def kind_counts(products) -> tuple[Counter, Counter, int]:
    """For each English stem, the products whose title says it, and those whose title or
    description's opening does (`titles_name`); and the number of products."""
    titled: Counter = Counter()
    said: Counter = Counter()
    n = 0
    for product in products:
        n += 1
        title = {stem(w.casefold()) for w in _TITLE_TOKEN.findall(product.title or "")}
        opening = {stem(w.casefold()) for w in _TITLE_TOKEN.findall(description_opening(product))}
        titled.update(title)
        said.update(title | opening)
    return titled, said, n


def titles_name(counts: tuple[Counter, Counter, int], words: Iterable[str]) -> bool:
    """Whether a catalog's titles name products of the kind the stems name: of the
    products whose title or description's opening says one, at least KIND_BY_TITLE say
    it in the title (magnets, gloves and filament are named in their titles; a shop's
    romances and thrillers, or its books about a war, mostly in their descriptions)."""
    titled, said, _ = counts
    words = list(words)
    either = sum(said.get(w, 0) for w in words)
    return not either or sum(titled.get(w, 0) for w in words) >= KIND_BY_TITLE * either


def kind_words(products) -> frozenset[str]:
    """The catalog's words that say what a product is: said before any "for" in at least
    MIN_KIND_TITLES titles (brand names left out) and there at least as often as after
    it ("multimeter"; not "skin" of "serum for dry skin", a use)."""
    head: Counter = Counter()
    tail: Counter = Counter()
    for p in products:
        before, after = title_parts(p.title, p.brand)
        head.update(before)
        tail.update(after)
    return frozenset(w for w, n in head.items() if n >= MIN_KIND_TITLES and n >= tail[w])
