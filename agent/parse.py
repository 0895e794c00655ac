"""Rules that read a shopper's message (English or Chinese): intent, budget,
brands, ordinals ("the second one", "第二个"), recipient, use, and the content
words left for search.

What it simplifies on purpose: budgets in another currency are converted with
fixed rates (`RATES`), and a bare number in a Chinese message is read as yuan.
Category and attribute words are matched against the catalog's own vocabulary
by `agent.vocabulary`, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.text import (
    PICK_CHEAPER,
    PICK_PRICIER,
    ZH_MEASURE_WORDS,
    ZH_WILL_DO,
    chinese_words,
)

# Units of the catalog currency per unit of another currency, to USD.
RATES_TO_USD = {"USD": 1.0, "CNY": 0.14, "EUR": 1.08, "GBP": 1.27, "JPY": 0.0067}
_HAN = re.compile(r"[\u4e00-\u9fff]")
_NUM = r"(\d+(?:\.\d+)?)"
_EN_MAX = re.compile(
    rf"(?:under|below|less than|up to|no more than|max(?:imum)?|at most|within"
    rf"|cheaper than|budget(?: is| of)?"
    rf"|(?:nothing|not|never|none)\s+(?:over|above|more than|higher than|pricier than))"
    rf"\s*(?:(?:like|um|uh|say|maybe)\s+)?(\$|usd\s*|€|£|¥)?\s*{_NUM}\s*"
    r"(dollars?|usd|bucks|euros?|pounds?|yuan|rmb)?",
    re.I,
)
# "80 dollars max", "$80 tops": the amount first
_EN_MAX_AFTER = re.compile(
    rf"(?:(\$|€|£|¥)\s*{_NUM}|{_NUM}\s*(dollars?|usd|bucks|euros?|pounds?|yuan|rmb))\s*"
    r"(?:max(?:imum)?|tops|at most|or less|or under)\b"
    # "a hundred max", "budget 80 tops": a number of two digits or more, no unit said
    r"|(?<![\w.$€£¥])(\d{2,}(?:\.\d+)?)\s+(?:max|tops)\b",
    re.I,
)
# "I have 40 dollars", "I've only got $60": what the shopper has to spend
_EN_HAVE = re.compile(
    r"\bi(?:'ve|’ve)?(?: only| just)? (?:have|got)\s+(?:about |around |like )?"
    rf"(?:(\$|€|£|¥)\s*{_NUM}|{_NUM}\s*(dollars?|usd|bucks|euros?|pounds?)\b)",
    re.I,
)
_EN_MIN = re.compile(
    rf"(?:over|above|more than|at least|min(?:imum)?)\s*(\$|€|£|¥)?\s*{_NUM}", re.I
)
_EN_RANGE = re.compile(
    rf"(?:between\s*)?(\$|€|£|¥)\s*{_NUM}\s*(?:-|–|to|and)\s*\$?\s*{_NUM}"
    rf"|between\s*{_NUM}\s*and\s*{_NUM}",
    re.I,
)
# "around $80", "about 80 dollars", "a budget of about 80": a number with a currency, or
# one said as a budget ("about 3 days" is no price).
_EN_AROUND = re.compile(
    rf"(?:around|about|roughly|approximately|approx\.?|~)\s*(\$|€|£|¥)\s*{_NUM}"
    rf"|(?:around|about|roughly|approximately|approx\.?|~)\s*{_NUM}\s*"
    r"(dollars?|usd|bucks|euros?|pounds?|yuan|rmb)\b"
    rf"|budget(?: is| of)?\s*(?:around|about|roughly|approximately)\s*(\$|€|£|¥)?\s*{_NUM}"
    rf"|(\$|€|£|¥)\s*{_NUM}\s*(?:or so|-ish|ish)\b"
    rf"|{_NUM}\s*(dollars?|usd|bucks|euros?|pounds?|yuan|rmb)\s*(?:or so|-ish|ish)\b",
    re.I,
)
# A price said with its currency and nothing else ("maybe 40 bucks", "$50 gift card"): the
# shopper's target, read as "around" when no other budget phrase holds it.
_EN_TARGET = re.compile(
    rf"(\$|€|£|¥)\s*{_NUM}(?![\d.,]*\s*(?:off|discount|coupon|rebate)\b)"
    rf"|\b{_NUM}\s*(dollars?|usd|bucks|euros?|pounds?|yuan|rmb)\b"
    r"(?!\s*(?:off|discount|coupon|rebate)\b)",
    re.I,
)
_ZH_MAX = re.compile(
    rf"(?:不超过|(?:别|不要|不能|不得)超过|低于|少于|不到|(?:最多|顶多)(?:能|只能)?(?:出|花|给)?到?"
    rf"|预算(?:是|为|改成|改为|调到|在|只有|大概|大约|加到|提到|提高到|放宽到|涨到|降到)?)\s*{_NUM}"
    r"\s*(元|块钱|块|美元|刀)?\s*(?:以内|以下|之内)?"
    rf"|{_NUM}\s*(元|块钱|块|美元|刀)?\s*(?:以内|以下|之内|内)"
)
_ZH_MIN = re.compile(
    rf"(?:高于|(?<![别要能得])超过|至少|不低于){_NUM}\s*(元|块钱|块|美元|刀)?(?:以上)?"
    rf"|(?<![\d.])(?<!第){_NUM}\s*(元|块钱|块|美元|刀)\s*以上"  # "400块以上的"
)
_ZH_RANGE = re.compile(rf"{_NUM}\s*(?:元|块)?\s*(?:到|至|-|~|～)\s*{_NUM}\s*(元|块钱|块|美元|刀)?")
# Talk about the budget around its number ("预算改一下，80美元以内"): no product words.
_ZH_BUDGET_TALK = re.compile(
    r"(?:我的)?预算(?:改一下|改成|改为|调整一下|调整为|调到|换成|提高到|降到|是|为|大概|大约"
    r"|加到|提到|放宽到|涨到)?"
    r"|(?:改一下|调整一下|提高一下|降低一下)预算"
)
# "不要太贵的", "not too expensive": said of the price, no words to search for
_MODEST_PRICE = re.compile(
    r"\b(?:not|nothing)\s+(?:too|very|that|overly)?\s*(?:expensive|pricey|costly)\b"
    r"|不要太贵|别太贵|不太贵|不用太贵|不要很贵|不能太贵",
    re.I,
)
_ZH_AROUND = re.compile(rf"{_NUM}\s*(元|块钱|块|美元|刀)?\s*左右")
_SYMBOL = {
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "CNY",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "bucks": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "yuan": "CNY",
    "rmb": "CNY",
    "元": "CNY",
    "块": "CNY",
    "块钱": "CNY",
    "美元": "USD",
    "刀": "USD",
}

_ORDINALS_EN = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
    "fifth": 4,
    "5th": 4,
}
_ORDINALS_ZH = {
    "一": 0,
    "1": 0,
    "二": 1,
    "两": 1,
    "2": 1,
    "三": 2,
    "3": 2,
    "四": 3,
    "4": 3,
    "五": 4,
    "5": 4,
}
_RECIPIENT_EN = re.compile(
    # "for my 12 year old nephew", "for our little sister": words that say how old or
    # who they are may come between
    r"\bfor (?:(?:my|our|a|an) (?:(?!(?:with|and|or|to|in|on|at|for|the|my|our|who|that)\b)"
    r"[\w'-]+ ){0,3}?)?(husband|wife|mom|mum|mother|dad|father|son|daughter|"
    r"boyfriend|girlfriend|friend|boss|kids?|brother|sister|grandma|"
    r"grandpa|partner|colleague|co-?worker|teacher|neighbou?r|nephew|niece|aunt|uncle|"
    r"grandson|granddaughter|roommate|teammate|coach|in-laws)\b(?:'s|’s)?",  # "daughter's room"
    re.I,
)
_ZH_PEOPLE = (
    r"(老公|老婆|妈妈|爸爸|儿子|女儿|男朋友|女朋友|朋友|老板|"
    r"孩子|哥哥|姐姐|弟弟|妹妹|爷爷|奶奶|同事|老师|邻居|同学|室友|侄子|侄女|外甥女|外甥"
    r"|叔叔|阿姨|舅舅|姑姑|婆婆|公公|岳母|岳父|老妈|老爸|母亲|父亲|媳妇|妻子|太太|丈夫|外婆"
    r"|姥姥|外公|姥爷|爸妈|父母|妈|爸)"
)
_RECIPIENT_ZH = re.compile(r"(?:给|送)我?的?" + _ZH_PEOPLE)
# "给喜欢喝咖啡的同事": the person after what is said of them (which stays a need)
_RECIPIENT_ZH_SAID = re.compile(r"(?:给|送)我?的?([^，。,.!?！？；;给送的]{1,10})的" + _ZH_PEOPLE)
_USE_EN = re.compile(
    r"\bfor (?:the |a |my )?(hiking|running|travel(?:ing)?|commut\w*|gym|"
    r"camping|work|school|yoga|swimming|cooking|reading|the office|office|"
    r"winter|rain|the beach|beach|parties|skiing|sleep)\b",
    re.I,
)
_USE_ZH = re.compile(r"(?:用来|用于|适合|去)([\u4e00-\u9fff]{2,4}?)(?:的|用|时|$|，|,|。)")

_INTENTS: list[tuple[str, re.Pattern]] = [
    (
        "reset",
        re.compile(
            r"\b(start over|reset|new search|clear (?:everything|all))\b|重新开始|重置|清空", re.I
        ),
    ),
    (
        "why_not",
        re.compile(
            r"\bwhy (?:not|didn'?t you|no)\b|为什么(?:没有|不推荐|没推荐|不是)"
            # "怎么没有Kestrel Audio的？", "那款精华怎么没推荐给我": a product or brand left out
            r"|(?:为啥|为什么|怎么)都?(?:没|不)(?:推荐|给我推荐|给我看)"
            # "是不是因为预算所以没有推荐那只手表给我？": a reason guessed for one left out
            r"|因为[^，。？！,.?!]{1,15}?(?:所以|才)(?:没有?|不)(?:推荐|给我推荐|给我看)"
            r"|(?:为啥|为什么|怎么)一(?:个|款|件)[^，。？！,.?!]{1,20}?都没(?:有)?(?:给我)?(?:看|推荐|推)"
            r"|怎么(?:推荐|列表)?(?:里|中)?(?:一个|一款|一件)?都?没有"
            r"|\bhow come (?:you )?(?:never|don'?t|didn'?t) (?:recomm?end|show|suggest)"
            r"|\b(?:you )?never (?:suggest|recomm?end|show|offer)s?\b"
            r"|\bnever (?:come|comes|show|shows|turn|turns|pop|pops) up\b"
            r"|\bwhy (?:isn'?t|aren'?t|wasn'?t|weren'?t)\b[^?.!]*\b(?:picks|recommendations"
            r"|results|suggestions|list)\b"
            r"|从来?(?:不|没有?)(?:给我)?推荐|从不(?:给我)?推荐|从来(?:不|没有?)(?:给我)?推(?!荐)"
            # "为什么我的推荐里从来没有 Maison Verde", "no Kettle & Bean at all? why's that"
            r"|(?:为啥|为什么|怎么)[^，。？！,.?!]{0,30}?(?:从来|一直)都?没有?(?!有|货|库存|到|发|收到|消息|回复|人)"
            r"|\bno\b[^?.!]{1,30}\bat all\b\W*\bwhy\b"
            r"|(?:为啥|怎么)都?没有[^，。？！,.?!]{1,15}的(?=[？?。，,!！]|$)"
            # "那款…为什么没出现？", "why isn't the cork mat I saved in here?", "how come
            # the grinder I looked at didn't make the list?": one left out of the list
            r"|(?:为啥|为什么|怎么)[^，。？！,.?!]{0,40}?(?:没有?|不)(?:出现|显示|列出|给我推荐|推荐给我)"
            r"|\bwhy (?:isn'?t|aren'?t|wasn'?t|weren'?t)\b[^?.!]*\b(?:in|on) (?:here|there)\b"
            r"|\b(?:didn'?t|did not|doesn'?t|does not) make (?:the|your|this) (?:list|cut)\b"
            r"|\b(?:isn'?t|aren'?t|wasn'?t|weren'?t|didn'?t|doesn'?t) show(?:ing)? up\b",
            re.I,
        ),
    ),
    (
        "why",
        re.compile(
            # "why" asks about the picks, not when it opens a clause ("... why my knees ache")
            r"(?<!out )(?<!know )(?<!wonder )(?<!understand )(?<!see )"
            r"\bwhy\b(?!\s+(?:i|i'm|we|my|our|he|she|they)\b)"
            r"|\bwhat made you (?:pick|choose|recommend|suggest|think)"
            r"|\bhow did you (?:pick|choose|decide)|为什么|为啥|理由|原因",
            re.I,
        ),
    ),
    (
        "compare",
        re.compile(
            r"\bcompare\b|\bvs\.?\b|difference between|\bstacks? up\b|\bagainst each other\b"
            r"|\bside[- ]by[- ]side\b"
            # 比较 compares when what follows is what is compared ("比较一下", "比较第一个和
            # 第二个") or someone is asked to ("帮我比较"); before a word that describes,
            # it means "rather" ("她皮肤比较干", "比较便宜的", "能比较便宜点吗")
            r"|(?:帮我|帮忙|请|给我|想|来)比较"
            r"|比较(?=一下|下|看看|看|起来|这|那|第|两|它|哪|其|[A-Za-z0-9]|\s|[，。？！?!,.]|$)"
            r"|对比|区别|比一(?:下|比)|比比|放在?一起比"
            r"|\bdiff (?:between|btwn|b/w)\b|\bPK\s*一下",
            re.I,
        ),
    ),
    (
        "profile",
        re.compile(
            r"\bmy (?:profile|interests|taste|(?:purchase |shopping |order )?history)\b"
            r"|what (?:do|did|have) i (?:like|usually|buy|bought|purchased?)"
            r"|what (?:kinds?|sorts?|types?) of (?:things|stuff|products) do i (?:like|buy)"
            r"|\bhave i been (?:looking at|buying|browsing|viewing|shopping for|ordering)\b"
            r"|what do you know about me|what have you learn(?:ed|t) about me"
            r"|你(?:都)?知道我(?:的)?什么|你对我了解(?:多少|什么)|你了解我(?:什么|多少)"
            r"|(?<!根据)我的(?:购物|购买)?(?:喜好|偏好|兴趣|历史|记录|画像)(?!推荐)"
            r"|(?<!根据)我(?:过往|以往|过去|之前)的(?:购物|购买)(?:记录|习惯|偏好)(?!推荐)"
            r"|我喜欢什么|我(?:在[^，。？！,.?!]{0,6})?(?:平时|以前|之前|经常|常|一般|通常)都?"
            r"(?:在[^，。？！,.?!]{0,6})?买"
            # "我这几年在你们这儿主要买的是哪几类东西", "常买哪些牌子"
            r"|我[^，。？！,.?!]{0,14}?(?:主要|经常|常)买的?(?:是|都是)?(?:哪|什么|啥)|常买(?:哪|什么|啥)"
            r"|\bmy (?:tastes|interests)\b|\bmy (?:shopping |buying )?habits\b"
            r"|我的\s*(?:shopping |purchase |order |buying )?(?:history|profile|taste)\b",
            re.I,
        ),
    ),
    (
        "similar",
        re.compile(
            r"\b(?:similar to|alternatives? to|(?:something|anything|more|others?|items?|products?"
            r"|ones?) (?:just )?like (?:(?:the|this|that|it|number|no)\b|#\s*\d))"
            r"|\b(?:along|on) the (?:same )?lines\b|\bin the same vein\b"
            r"|\b(?:anything|something|any(?: others?)?) (?:else )?similar\b|\bdupes?\b"
            r"|类似|差不多的|同类|相似|平替",
            re.I,
        ),
    ),
    (
        # to the cart: asked for, or a product shown said to be bought ("I'll buy the
        # second one", "我买第二个"); taking one ("I'll take it", "我要第二个") is a like,
        # as adding to a cart is a change the shopper should ask for in so many words
        "cart",
        re.compile(
            r"\b(?:add|put)\b.*\b(?:cart|basket|bag)\b|加入购物车|加购"
            # "pop the first one into my cart" (a bag one carries is no cart: "to toss in
            # a gym bag" says what the product is for)
            r"|\b(?:pop|stick|throw|chuck|toss|drop)\b.*\b(?:cart|basket)\b"
            r"|\bi(?:'ll| will|’ll| would like to|'d like to) (?:buy|order|purchase)"
            r" (?:it|this|that|them|both|this one|that one|number \d|the (?:first|second"
            r"|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)\b|the (?:\w+\s+){0,2}(?:one|ones"
            r"|pair)\b)"
            # "我买第二个", "就买便宜的那个", "买这个吧": a product shown bought (taken, "我要
            # 第二个", is liked: below); not "我要买那种防水的"
            r"|(?:我(?:就)?|就|^\s*)(?:想买|买)(?=(?:这|那)(?:个|款|双|件|台|一个|一款)"
            r"(?!的|牌子|品牌|颜色)|它|第[一二三四五1-5]"
            r"|(?:更)?(?:便宜|贵)(?:一点|一些|些)?的(?:那|这)(?:个|款|双|件|台))",
            re.I,
        ),
    ),
    # a product shown said to be bought already ("just bought the third one", "我刚买了
    # 第二个"); not "the pair I bought last month" (no product in view named)
    (
        "purchase",
        re.compile(
            # the shopper's own purchase, not other buyers' ("people who bought the first one")
            r"\b(?:i(?:'ve)? )?(?:just |already |finally )?"
            r"(?<!\bwho )(?<!\bthat )(?:bought|purchased|ordered)"
            r" (?:it|this|that|this one|that one|(?:number|#)\s*\d|the (?:first|second|third"
            r"|fourth|fifth|last|1st|2nd|3rd|4th|5th)\b)"
            r"|(?:已经|刚刚?|刚才)(?:买了|下单了|拍了|购买了)(?=(?:这|那)(?:个|款|双|件|台)|它|第[一二三四五1-5])"
            # "第一个拍下了", "黑色那双已经下单了": the product, then the purchase
            r"|(?:^|[，,\s])(?:[\u4e00-\u9fffA-Za-z]{1,8}?的?)?(?:第[一二三四五1-5]|这|那)"
            r"(?:个|款|双|件|台|副|把)我?(?:已经|刚刚?)?"
            r"(?:拍下|拍了|下单了|下单买了|买了|买下了)",
            re.I,
        ),
    ),
    # kept for later: a like ("add the first to my list", "save it for later", "收藏第二个")
    (
        "like",
        re.compile(
            r"\b(?:add|put)\b.*\b(?:wish\s?list|list|favou?rites|saved items)\b|点个?赞"
            r"|\bsave\b.*\bfor later\b|\bbookmark\b|收藏|加入(?:心愿单|愿望清单)"
            r"|(?:甚|很|正)?合我(?:的)?(?:心)?意|(?:烦请|帮我|请)?记下来?(?![\u4e00-\u9fff]{2})",
            re.I,
        ),
    ),
    (
        "not_interested",
        re.compile(
            r"not interested|don'?t like"
            r"|no thanks(?![\s,.!]*(?:that'?s (?:all|it)|bye|i'?m (?:good|done)))|不感兴趣|不喜欢"
            # "以后别给我推这种": no more of its kind
            r"|(?:别|不要)再?(?:给我)?(?:推|推荐)这(?:种|类|样的?|个|款)|(?:别|不要)再(?:给我)?(?:推|推荐)了"
            r"|\bnot (?:really |so |too )?(?:into|a fan of|keen on)\b"
            r"|\bnot my (?:vibe|style|thing|taste)\b|\ba no from me\b"
            r"|\bdon'?t (?:show|recommend|suggest) (?:me )?(?:that|this) one again\b"
            r"|\bdon'?t (?:show|recommend|suggest) (?:me )?(?:that|this|those|these)"
            r" (?:sort|kind|type)\b",
            re.I,
        ),
    ),
    (
        # Liking a product shown ("I like it", "I love the second one", "我喜欢第二个"),
        # not "something I might like", nor a taste ("I love hiking", "给喜欢看电影的朋友").
        "like",
        re.compile(
            r"(?<!do )(?<!would )(?<!might )(?<!could )\bi (?:really |do )?(?:like|love)"
            r"(?:\s+(?:it|this|that|these|those|them|the\s+(?:\w+\s+)?(?:one|ones|pair)"
            r"|the\s+(?:first|second|third|fourth|fifth|last|1st|2nd|3rd)"
            r"|(?:number|#)\s*\d|\w+\s+one)\b|\s*[.!]*\s*$)"
            r"|\bi(?:'ll| will|’ll) take (?:it|this|that|them|this one|that one|number \d"
            r"|the (?:\w+\s+){0,2}(?:one|ones|pair)\b|the (?:first|second|third|last)\b)"
            r"|(?<!可能)(?<!会)(?<!能)喜欢(?=这|那|它|第|该|此|[。！!.，,]|[^\w\s?？]|$)"  # "😍"
            r"|(?:挺|很|蛮|超|特别|真|还挺|好)喜欢的?(?:啊|呀|哦|哇|啦)?(?=[^\w]|$)"
            # "我要第二个", "就选便宜的那个": a product shown taken (bought: "cart", above)
            r"|(?:我(?:就)?|就)(?:要|选|拿)(?=(?:这|那)(?:个|款|双|件|台|一个|一款)"
            r"(?!的|牌子|品牌|颜色)|它|第[一二三四五1-5]"
            r"|(?:更)?(?:便宜|贵)(?:一点|一些|些)?的(?:那|这)(?:个|款|双|件|台))",
            re.I,
        ),
    ),
    ("greeting", re.compile(r"^\s*(hi|hello|hey|你好|您好|嗨)[\s!.。！]*$", re.I)),
    # the shopper puts the choice off ("hmm maybe later, need to think about it", "我再想想"):
    # nothing to look up; answered in kind, what was shown stays
    (
        "later",
        re.compile(
            r"^\s*(?:(?:hmm+|um+|ok(?:ay)?|well|thanks?|ta|cool|nah)[\s,.!]*)*"
            r"(?:maybe later|(?:i'?ll|let me|i need to|need to|gonna|going to) (?:have a )?think"
            r"(?: (?:about|on) it| it over)?|not (?:right )?now|i'?ll come back (?:later|to it))"
            r"(?:[\s,.!]+(?:i'?ll |i |need to |let me )?(?:think (?:about|on) it|come back later"
            r"|thanks?|ta|cheers))*[\s!.~]*$"
            r"|^\s*(?:嗯+|好的?|那)?[，,\s]*(?:我)?(?:再想想|再考虑(?:一下|考虑)?|考虑一下|先不买了|回头再说|以后再说"
            r"|晚点再说|等等再说)(?:吧|啊|哈)?[，,。.!！~\s]*(?:谢谢|谢啦)?[。.!！~\s]*$",
            re.I,
        ),
    ),
    # a thank-you or goodbye and nothing else: answered in kind, never "outside what I can do"
    (
        "thanks",
        re.compile(
            r"^\s*(?:(?:ok(?:ay)?|great|perfect|cool|awesome|got it|no)[\s,!.]*)?"
            r"(?:thanks?(?:\s+you)?"
            r"(?:\s+(?:so\s+much|very\s+much|a\s+lot))?|thx|ty|cheers|bye|goodbye|see\s+you)"
            r"(?:[\s,!.]*(?:that'?s (?:all|it|everything)(?: for (?:now|today))?|bye|see you"
            r"|goodbye))?[\s!.~]*$|^\s*(?:好的|好)?[，,]?\s*(?:谢谢(?:你|您|啦)?|多谢|感谢|再见|拜拜)[\s!.。！~]*$",
            re.I,
        ),
    ),
]
_CHEAPER = re.compile(
    r"cheaper|less expensive|lower price|more affordable|(?<!not )too (?:expensive|pricey|much)"
    r"|(?<!太)(?<!别)(?<!不要)便宜|实惠|更低的价|(?<!不)(?<!不要)(?<!别)太贵|(?<!不)贵了",
    re.I,
)  # "别给我看太便宜的了" (nothing too cheap) asks for no cheaper one
_OTHER_BRAND = re.compile(
    r"(?:not|no|don'?t want) (?:that|this) brand|different brand|other brand"
    r"|another brand|不要这个牌子|不要这个品牌|换个牌子|换个品牌|别的牌子|其他品牌"
    # another seller, where a brand is one ("any other coffee shop cards?", "别的咖啡店的卡")
    # (the word "other" only: what the seller is, "coffee shop", is still searched for)
    r"|\b(?:other|another|different)\b(?=\s+(?:[a-z'-]+\s+){0,2}?(?:shops?|stores?"
    r"|restaurants?|caf[eé]s?|chains?|retailers?|merchants?)\b)"
    r"|(?:别的|其他|其它|另外的?|换(?:一)?家)(?=[\u4e00-\u9fff]{0,3}?(?:店|餐厅|餐馆|饭店|商店|商家))"
    r"|别家",
    re.I,
)
# "None of these", "something else": the shopper passes on everything shown.
_OTHERS = re.compile(
    r"\bnone of (?:these|them|those|the above)\b|\b(?:something|anything) else\b"
    r"|\bother (?:options|ones|products|choices)\b|\bshow (?:me )?(?:more|others)\b(?! like)"
    r"|\bmore options\b|\bnot what i(?:'m| am)? (?:want|looking for)\w*"
    # "any others?", "got any more?": more of the same request (not "any more reviews?")
    r"|^\s*(?:(?:ok(?:ay)?|hmm+|and|so)[,!.]?\s+)?(?:(?:do you )?(?:have|got) |are there )?"
    r"(?:any|some)\s+(?:others|more)\b(?!\s+(?:like|about|than|reviews?|says?|info|details?))"
    r"|^\s*(?:others|more)\s*[?？!.]*\s*$"
    r"|这些都不是我想要的|这些都不是|都不是我想要的|不是我想要的|换一批|还有别的|别的款式|其他的款式|其他款式|别的款|其他的款|看看别的"
    r"|这些都不要|换几个|换一些|换点别的"
    r"|^\s*再来(?:几个|一些|点|一批|几款|几双)?\s*[吧呗呀啊。！!~]*\s*$",  # "再来": more of them
    re.I,
)
# A second thing to buy ("I also need a soldering iron", "另外还想买一个焊锡丝"): a new
# request, not more words about the product being chosen ("I also need it to be light").
_ANOTHER = re.compile(
    r"\b(?:also|too)\s+(?:need|want|looking for|buy|get|shopping for)\s+(?:a|an|some)\s+(?!one\b)"
    r"|\b(?:need|want|buy|get)\s+(?:a|an|some)\s+(?=\w+(?:\s+\w+)?\s+(?:too|as well)\b)"
    rf"|(?:另外|还|再)(?:想|要|需要|得)?(?:买|找)(?:一|两|几)?{ZH_MEASURE_WORDS}?(?=[\u4e00-\u9fff])",
    re.I,
)
# What this message asks for replaces what was asked before ("something for coffee
# instead", "换成咖啡的"); what follows "instead of" / "rather than" is no longer wanted.
_INSTEAD = re.compile(r"\binstead\b|\brather than\b|换成|改成|改为", re.I)
_INSTEAD_OF = re.compile(r"\b(?:instead\s+of|rather\s+than)\b[^,.;!?，。；！？]*", re.I)
# A request said in full ("I need a soldering iron", "我想买一个万用表"): when it names
# another kind of product than the one being chosen, a new search (agent.tracking).
_REQUEST = re.compile(
    r"^\s*(?:(?:hi|hello|hey|ok|okay|now|and)[,!.]?\s+)?"
    r"(?:(?:i\s+)?(?:also\s+)?(?:need|want)|i\s+would like|i'd like"
    r"|i(?:'m| am) (?:also )?(?:looking|shopping) for|looking for|show me|find me"
    r"|(?:can you |could you )?recommend|do you (?:have|sell))\s+"
    # a thing with an article, or one said in the plural or as a mass ("I need safety
    # glasses", "looking for nitrile gloves"); not a pronoun, a product in view, "to ..."
    r"(?:(?:a|an|some|any)\s+(?!one\b)|(?=[a-z])(?!(?:it|its|this|that|them|these|those|the"
    r"|to|one|ones|more|less|something|anything|my|your|his|her|their|our|me|you|him"
    r"|help|advice|info|information|cheaper|better|another|other|else|first|second|third"
    r"|last|same)\b))"
    rf"|^\s*(?:我(?:还)?(?:想要|想|要|需要)(?:给[^，,。！？!?]{{1,6}})?(?:买|找)?|给我推荐|推荐)"
    rf"(?:一|两|几){ZH_MEASURE_WORDS}"
    # "我要买游标卡尺", "买个游标卡尺", "帮我找一把刀": to buy or find, then a thing
    rf"|^\s*(?:我(?:还)?(?:想要|想|要|需要)|帮我|请|再|想要?|还想)?(?:买|找)"
    rf"(?:(?:一|两|几)?{ZH_MEASURE_WORDS})?(?=[\u4e00-\u9fff])(?![一两几点些这那哪了过])"
    r"(?![^，,。！？!?]*的\s*(?:[，,。！？!?]|$))",  # not "我想买防水的": one of the same kind
    re.I,
)
# Asking whether the shop carries something ("do you have water bottles?", "你们有保温杯
# 吗？", "有卖焊锡丝的吗"): a request for products, about the catalog, not a product in view.
_CATALOG_ASK = re.compile(
    r"^\s*(?:(?:hi|hello|hey|ok|okay|so|and|also|um)[,!.]?\s+)*"
    r"(?:(?:do|does)\s+(?:you|you guys|y'all|(?:your|the|this) (?:shop|store))"
    r"\s+(?:also\s+)?(?:have|sell|carry|stock|offer)|have you (?:also )?got|you got|got)\b"
    r"(?!\s+(?:it|this|that|them|these|those|the\s+(?:first|second|third|last|same))\b)"
    r"|^\s*(?:请问|那|那么|你好)?[，,]?(?:你们|你家|贵店|店里|这里|这儿)(?:店里|这里|这儿)?(?:还)?"
    r"(?:有没有卖|有没有|有卖|卖不卖|有|卖)(?!人|点|些时候)"
    r"|^\s*(?:请问)?有(?:没有)?卖"
    # "有雨衣吗？", "有没有适合通勤的背包": the whole message asks whether there is one;
    # not "有黑色的吗" (a black one of these?), "有现货吗" (in stock?), "有什么推荐吗"
    r"|^\s*(?:请问)?有(?:没有)?(?!卖|人|点|些|时候|什么|啥|问题|现货|库存|存货|货|优惠|折扣"
    r"|活动|赠品|别的|其他|其它|更|没有)(?=[^，,。？?！!]{1,19}[^的，,。？?！!](?:吗|么|嘛)?"
    r"\s*[？?]?\s*$)",
    re.I,
)
# Asking for more products of the kind being shopped for, not about one shown.
# "what about something warmer?", "how about a lighter one?": more of the kind, offered
_OFFER = r"(?:(?:what|how)\s+about\s+|maybe\s+)?"
_REFINE = re.compile(
    rf"^\s*{_OFFER}(?:any|anything|something|one|ones)\s+(?:with|in|that|without|for|more|less)\b"
    r"|^\s*(?:do you have|got|have you got)\s+(?:any|one|ones|something|anything)\b"
    r"(?=\s*(?:[?.!。？]|$|(?:with|in|that|without|for|under|below|less|more|cheaper|like)\b"
    r"|[\w-]+er\s*(?:[?.!]|$|than\b|ones?\b)|[\w-]+\s+(?:ones?|colou?rs?|sizes?)\b))"
    r"|有没有(?:更|带|适合|[^第它这那]{0,8}的)|要(?:更)?.{1,4}的$|有.{1,6}的吗"
    # "lighter ones?", "any warmer ones", "something smaller?": more of the kind, said by
    # a comparative alone ("other ones" asks for others, not a degree)
    rf"|^\s*{_OFFER}(?:(?:any|some|a)\s+)?(?!(?:an)?other\b)[a-z-]+er\s+(?:ones?|options?)\s*[?.!]*\s*$"
    rf"|^\s*{_OFFER}(?:something|anything)\s+(?!(?:an)?other\b)[a-z-]+er\s*[?.!]*\s*$",
    re.I,
)
# A refinement by degree: more (or less) of something than the products shown have
_DEGREE = re.compile(
    r"\b(?:more|less)\s+(?!than\b|of\b|like\b)[a-z-]{3,}|\b[a-z-]{3,}er\s+(?:ones?|options?)\b"
    rf"|^\s*{_OFFER}(?:something|anything)\s+[a-z-]{{3,}}er\b|更[\u4e00-\u9fff]|[\u4e00-\u9fff](?:一点|一些|点)的",
    re.I,
)
_STOPWORDS = frozenset(
    """
    a an the i me my we you your for to of in on with and or but please want need looking look
    find show give get some something any recommend suggest buy would like can could is are be
    it this that these those one ones under below less than up max at most budget around about
    dollars usd bucks price good nice new gift gifts present presents hi hello hey i'm im
    i'd it's should what which was were also just really thanks thank from show might may
    maybe help tell let see us our who whose started too actually instead rather make ok okay
    anything everything do does have has pls plz thx
    someone somebody anyone anybody love loves loved enjoy enjoys likes
    prefer prefers preferably how
    想 想要 要 我 我想 我要 还有
    """.split()  # noqa: SIM905
)  # (the Chinese ones as words left on their own: "想" of "想给同事买张...", the recipient cut;
# "还有" of "还有别的咖啡店的卡吗", "别的" cut)


@dataclass
class Parsed:
    intent: str = "recommend"
    language: str = "en"
    ordinals: list[int] = field(default_factory=list)
    min_price: float | None = None
    max_price: float | None = None
    around: float | None = None  # "around 80": the amount said, inside the band above
    currency: str | None = None  # currency the shopper's numbers were in
    currency_said: bool = False  # named ("50美元", "$50"), not the language's default
    cheaper: bool = False
    exclude_last_brand: bool = False
    others: bool = False  # "none of these", "something else": skip what was shown
    refine: bool = False  # "any with a timer?", "有没有更轻的": more of the same kind
    degree: bool = False  # "lighter ones?", "有没有更轻一点的": more of it than those shown
    another: bool = False  # "I also need a soldering iron": a second thing to buy
    instead: bool = False  # "something for coffee instead": replaces what was asked
    request: bool = False  # "I need a multimeter": a request said in full
    bare_budget: bool = False  # "make it 50": the budget before, at a new amount
    asks_catalog: bool = False  # "do you have water bottles?": whether the shop carries it
    from_history: bool = False  # "suggest a few items based on my tastes": picks for them
    by_price: bool = False  # "list them cheapest first", "按价格从低到高排": lowest prices first
    avoid: list[str] = field(default_factory=list)  # "not black", "不要塑料的": never these
    recipient: str | None = None
    use: str | None = None
    content: str = ""  # what is left for search
    slots: dict = field(default_factory=dict)  # category/brands chosen by an LLM planner


# Where the name of what is asked for ends: "a soldering iron | for electronics".
_PHRASE_END = re.compile(
    r"\b(?:for|with|without|that|which|who|to|under|below|less|around|about|in|on|from|by"
    r"|at|than|and|or|but|please|if|so|like|as|here|too|either|instead|today|now"
    # a clause of its own after the name ("a backpack my son can take on trips")
    r"|my|your|his|her|our|their|i|i'm|we|he|she|they)\b"
    r"|[,.;:!?，。；：！？]|的|吗|呢|吧|给|适合|用于|可以|能|要",
    re.I,
)
_PHRASE_START = re.compile(
    r"^\s*(?:(?:a|an|some|any|the|one|two|three|good|nice|new)\s+)*"
    r"(?:(?:pair|pairs|set|sets|pack|packs|box|kit|couple|piece|bunch)\s+of\s+)?"
    rf"|^\s*(?:一|两|几)?{ZH_MEASURE_WORDS}?",
    re.I,
)


# Another thing offered to look at ("what about a steam card instead?"): named as a
# request names it, though the message is no new request (agent.tracking: a kind offered)
_OFFERS_KIND = re.compile(
    r"^\s*(?:(?:and|so|ok|okay)[,!.]?\s+)?(?:what|how) about\s+(?:a|an|some|any)\s+(?!one\b)", re.I
)


def named_kind(text: str) -> str:
    """The name a request gives what it asks for, as said ("I need a soldering iron for
    electronics" -> "soldering iron", "你们有保温杯吗？" -> "保温杯"); "" when the message
    asks for nothing by name."""
    asked = _CATALOG_ASK.search(text) or _REQUEST.search(text) or _OFFERS_KIND.search(text)
    if asked is None:
        return ""
    rest = _PHRASE_START.sub("", text[asked.end() :], count=1)
    phrase = _PHRASE_END.split(rest, maxsplit=1)[0]
    return " ".join(phrase.split()[-4:])


# A new budget said as a bare number in a short follow-up ("actually make it 50", "how
# about 40?", "那就50吧", "改成300"): the budget asked before, at the new amount.
_BARE_BUDGET = re.compile(
    r"^\s*(?:(?:ok(?:ay)?|actually|hmm+|well|and|so|no)[,!.]?\s+)*"
    r"(?:make it|change it to|let'?s (?:say|do|make it)|how about|what about|say|try"
    r"|raise it to|bump it (?:up )?to|go (?:up )?to|up to|lower it to|drop it to)\s+"
    rf"(\$|€|£|¥)?\s*{_NUM}\s*(dollars?|usd|bucks|euros?|pounds?|yuan|rmb)?"
    r"(?:\s+(?:instead|then|please|pls|max|tops))?\s*[.?!]*\s*$"
    rf"|^\s*(?:那|那就|就|改成|改为|预算)\s*{_NUM}\s*(块钱?|元|美元|刀)?\s*(?:吧|呢|以内|左右)?\s*[。？！?!]*\s*$"
    rf"|^\s*{_NUM}\s*(块钱?|元|美元|刀)?\s*(?:吧|呢)\s*[。？！?!]*\s*$",
    re.I,
)


def detect_language(text: str) -> str:
    han = len(_HAN.findall(text))
    return "zh" if han and han >= 0.2 * len(re.sub(r"\s", "", text)) else "en"


# Asks for picks: with the shopper's history as the ground, still a request for products.
_ASKS_PICKS = re.compile(
    r"\b(?:recommend|suggest)\b|\b(?:pick|choose) (?:me |out )?(?:something|some|a few|a couple)\b"
    r"|给我推荐|\bsurprise me\b"
    r"|\bshow me\b(?!\s+(?:my|what i)\b)"  # "show me my profile" asks for the profile
    r"|推荐(?:点|些|几|一下|[一二两三四五六七八九十\d])|(?:挑|选)(?:几|一些|点|[一二两三四五\d])"
    r"|(?<![别不再])推(?:几|些|点)",  # "按我的口味推几个"
    re.I,
)


# The products of the request in order of price, lowest first (as a shop's listing sorts).
_BY_PRICE = re.compile(
    r"\b(?:list|show|sort|order|rank|arrange|put)(?:ed|ing)?\s+(?:them|these|those|it|the\s+"
    r"(?:results?|list|ones?))?\s*(?:by\s+(?:the\s+)?(?:price|cost)|(?:with\s+)?(?:the\s+)?"
    r"(?:cheapest|lowest(?:\s+price)?)\s+(?:ones?\s+)?first)(?:,?\s*(?:low(?:est)?\s+to\s+high"
    r"(?:est)?|cheapest\s+first|ascending))?"
    r"|\b(?:cheapest|lowest(?:[\s-]+priced?)?)\s+(?:ones?\s+)?first\b"
    r"|\bprices?:?\s+(?:from\s+)?low(?:est)?\s+to\s+high(?:est)?\b"
    r"|(?:按|以)(?:照)?价格(?:从低到高|由低到高|升序)?(?:排(?:序|列|一下)?|来排)|价格(?:从|由)低到高(?:排(?:序|列)?)?"
    r"|从便宜到贵(?:排(?:序|列)?)?|(?:把)?便宜的(?:排|放)(?:在)?前面",
    re.I,
)


_FROM_HISTORY = re.compile(
    r"\bbased on (?:my|what i)\b|\bfrom my (?:history|tastes?)\b|根据我|按我的|照我的"
    r"|\byou think i'?d (?:\w+ )?(?:like|love|enjoy|want)\b"
    r"|\b(?:stuff|things|something|anything) (?:(?:that )?you think )?(?:suits?|would suit) me\b"
    r"|你觉得我(?:会|应该)?(?:喜欢|感兴趣|用得上)|我(?:可能|也许|大概)会?(?:喜欢|感兴趣)"
    r"|\b(?:things|stuff|something|anything|items) i (?:might|may|would|could)"
    r" (?:like|love|enjoy)\b",
    re.I,
)


# A message typed for a customer by shop staff ("customer wants to know if the second one
# has an auto shut-off", "客户想知道第一个台灯的价格走势"): read in the customer's own words.
# Staff's own opening before the relay ("Hi there, customer on the phone, ...").
_RELAY_OPENING = r"(?:(?:hi|hello|hey)(?: there)?[,!]?\s+)?"
_RELAY_WHO = r"(?:customer|cust|client|shopper|caller|buyer)(?:\s+on the (?:phone|line|chat))?,?"
_RELAY_ASKS = re.compile(
    rf"^\s*{_RELAY_OPENING}(?:the\s+|my\s+|a\s+)?{_RELAY_WHO}\s+"
    r"(?:wants to know|would like to know|wanted to know|is asking|asking|asks|asked|wonders|"
    r"wants to check|would like to check)[:：,]?\s+(?:if\s+|whether\s+)?"
    r"|^\s*(?:客户|顾客|买家|用户)(?:想知道|想了解|想问(?:一下)?|问(?:一下)?|询问|咨询)[，,:：]?"
    # "pls check for customer: what do reviewers complain about ..."
    r"|^\s*(?:(?:pls|please|can you|could you)\s+)?check\s+(?:this\s+)?for\s+"
    rf"(?:the\s+|a\s+|my\s+)?{_RELAY_WHO}[:：,]\s*",
    re.I,
)
_RELAY_SAYS = re.compile(
    rf"^\s*{_RELAY_OPENING}(?:the\s+|my\s+|a\s+)?{_RELAY_WHO}\s+(?:just\s+)?"
    r"(needs|wants|is looking for|would like|likes|says|said)\b"
    rf"|^\s*{_RELAY_OPENING}(?:the\s+|my\s+|a\s+)?(?:customer|cust|client|shopper|caller|buyer)"
    r"(?:'s| is)(?=\s+(?:just|only|looking|after|browsing|interested|keen|trying|not)\b)"
    r"|^\s*(?:客户|顾客|买家|用户)(?:说[，,:：]?|(?=想|要|需要|喜欢|不要|只要))",
    re.I,
)
_FIRST_PERSON = {
    "needs": "I need",
    "wants": "I want",
    "is looking for": "I am looking for",
    "would like": "I would like",
    "likes": "I like",
}
# The customer as said by staff, in the customer's own words: "she is" -> "I am", "her
# husband" -> "my husband", "fit her" -> "fit me"; "they" / "their" are left alone (as
# often the products: "whether they are waterproof").
_THIRD_PERSON = re.compile(
    r"\b(?:she|he) (?:is|was)\b|\b(?:she|he)'s\b|\b(?:his|her|she|he)\b|她|他",
    re.I,
)


# Words after "her" that make it the object, not an owner ("to her specifically").
_NOT_OWNED = re.compile(
    r"\s+(?:specifically|personally|directly|especially|only|really|instead|again"
    r"|and|or|but|too|as|a|an|the|some|any|this|that|these|those|something"
    r"|anything|well|now|today|back|up|out|in|on|off|to|for|with|at|from|by|if|when)\b",
    re.I,
)


def first_person(text: str) -> str:
    """The customer's own words of a message relayed by staff; any other unchanged."""
    if m := _RELAY_ASKS.search(text):
        rest = text[m.end() :].strip()
        if not rest:
            return text
        asked = (
            rest
            if re.search(r"[?？]\s*$", rest)
            else rest.rstrip("。.") + ("？" if _HAN.search(rest) else "?")
        )
    elif m := _RELAY_SAYS.search(text):
        said, rest = (m.group(1) or "").lower(), text[m.end() :].strip()
        if _HAN.search(m.group(0)):
            asked = rest if "说" in m.group(0) else "我" + rest
        else:
            lead = _FIRST_PERSON.get(said, "")
            if not said and re.search(r"(?:'s| is)$", m.group(0)):
                lead = "I am"  # "customer's just browsing": "I am just browsing"
            asked = f"{lead} {rest}" if lead else rest
    else:
        return text

    def mine(w: re.Match) -> str:
        word = w.group(0).casefold()
        if word in ("她", "他"):
            return "我"
        if word.endswith((" is", "'s")):
            return "I am"
        if word.endswith(" was"):
            return "I was"
        # "her husband": hers; "suggested to her specifically", "fit her well": her
        owned = re.match(r"\s+[a-z]", asked[w.end() :], re.I) and not _NOT_OWNED.match(
            asked[w.end() :]
        )
        if word == "his" or (word == "her" and owned):
            return "my"
        return "me" if word == "her" else "I"

    return _THIRD_PERSON.sub(mine, asked).strip()


def parse(text: str) -> Parsed:
    text = text.strip()
    p = Parsed(language=detect_language(text))
    p.intent = next((name for name, rx in _INTENTS if rx.search(text)), "recommend")
    p.ordinals = ordinals(text)
    if _ASKS_PICKS.search(text) and (p.intent == "profile" or _FROM_HISTORY.search(text)):
        # "根据我平时买的东西，给我推荐点吧", "suggest a few items based on my tastes": picks,
        # with the shopper's own history as their ground
        p.intent, p.from_history = "recommend", True
    if p.intent == "recommend" and p.ordinals and len(text) < 40:
        p.intent = "details"
    remaining = _budget(text, p)
    spoken = spoken_numbers(text)
    bare = _BARE_BUDGET.search(spoken) if p.max_price is None and p.min_price is None else None
    said = [g for g in bare.groups() if g] if bare else []
    amount = next((float(g) for g in said if re.fullmatch(_NUM, g)), 0.0)
    if amount >= 5:  # "try 3" is no budget
        unit = next((g for g in said if not re.fullmatch(_NUM, g)), None)
        p.max_price, p.bare_budget = amount, True
        # no unit: yuan in Chinese (as any Chinese budget), else the shop's own currency
        default = "CNY" if p.language == "zh" else None
        named = _SYMBOL.get(unit.strip().lower(), _SYMBOL.get(unit.strip())) if unit else None
        p.currency, p.currency_said = named or default, named is not None
        remaining = " "
    if _BY_PRICE.search(text):  # an order asked for, no words to search for
        p.by_price = True
        remaining = _BY_PRICE.sub(" ", remaining)
        p.ordinals = ordinals(_BY_PRICE.sub(" ", text))  # "cheapest first" points at none
        if p.intent == "details" and not p.ordinals:
            p.intent = "recommend"
    p.cheaper = bool(_CHEAPER.search(PICK_CHEAPER.sub(" ", PICK_PRICIER.sub(" ", text))))
    p.exclude_last_brand = bool(_OTHER_BRAND.search(text))
    p.others = bool(_OTHERS.search(text))
    p.refine = bool(_REFINE.search(text))
    # (cheaper is a budget: what was listed for the request comes after the rest)
    p.degree = p.refine and not p.cheaper and bool(_DEGREE.search(text))
    p.request = bool(_REQUEST.search(text))
    asked = _CATALOG_ASK.search(text)
    if asked and re.search(r"\bones?\b", text, re.I):
        p.refine = True  # "do you have Asana ones?", "got a blue one?": more of this kind
    elif asked and (not p.refine or "卖" in asked.group(0)):  # "有卖焊锡丝的吗": who sells it
        p.asks_catalog = p.request = True
        p.refine = False
    if asked:  # "你们有黑色的吗": the asking is no word to search for
        remaining = remaining.replace(asked.group(0), " ", 1)
    p.another = bool(_ANOTHER.search(text))
    p.instead = bool(_INSTEAD.search(text))
    remaining = _INSTEAD.sub(" ", _INSTEAD_OF.sub(" ", remaining))  # "instead of pizza": gone
    if p.another:  # "还想买一个焊锡丝，要无铅的": a new product, not more of the same kind
        p.refine = False
        remaining = _ANOTHER.sub(" ", remaining)
    remaining = _OTHERS.sub(" ", _OTHER_BRAND.sub(" ", _CHEAPER.sub(" ", remaining)))
    remaining = _ZH_BUDGET_TALK.sub(" ", _MODEST_PRICE.sub(" ", remaining))
    if p.cheaper and p.ordinals:  # "the first one is too expensive": which, not what
        remaining = _ORDINAL_PHRASE.sub(" ", remaining)
    for rx in (_RECIPIENT_EN, _RECIPIENT_ZH):
        if m := rx.search(remaining):
            p.recipient = m.group(1).lower()
            remaining = remaining.replace(m.group(0), " ")
    if p.recipient is None and (m := _RECIPIENT_ZH_SAID.search(remaining)):
        p.recipient = m.group(2)
        remaining = remaining.replace(m.group(0), f" {m.group(1)} ")
    for rx in (_USE_EN, _USE_ZH):
        if m := rx.search(remaining):
            p.use = m.group(1).lower()
    remaining = _NOT_THAT_ONE.sub(" ", remaining)  # which is turned down, not what is wanted
    p.content = _content(remaining)
    p.avoid = avoided(text)
    return p


# What the shopper does not want: "please not black", "aren't leather or suede", "no
# PVC", "not a restaurant one", "NOT amazon", "不要塑料的", "别要白色", "不要圣诞或者生日
# 图案的", "别是黑色的", "不带香味的". Amounts and degrees are no such words ("no more
# than $200", "not too heavy", "不要太贵", "不要超过100").
_AVOID_EN = re.compile(
    r"\b(?:not|no|nothing|never|avoid|without|except|anything but|isn'?t|aren'?t"
    r"|(?:do|does)n'?t want|(?:do|does) not want|can'?t stand|hate)\s+"
    r"(?:(?:a|an|any|anything|in|made of|made from|from|the)\s+)?"
    r"([a-z][\w'-]*(?:\s*(?:/|\bor\b|\bnor\b)\s*(?:a |an )?[a-z][\w'-]*)*)",
    re.I,
)
_NOT_AVOIDED = frozenset(
    """
    more less much many very too so that this these those it them one ones over above under
    below than need needed needs must problem problems worry worries rush fuss hurry longer
    later matter idea way thing things big deal sure bigger smaller higher lower fancy
    expensive cheap pricey heavy huge complicated hassle frills nonsense question questions
    exceed exceeding sweat kidding joke
    """.split()  # noqa: SIM905
)
_AVOID_ZH = re.compile(
    r"(?:不要是?|别要|别是|别选|别买|别给我|不想要|不喜欢|不是|不能是|不含|不带|避开)"
    r"(?!(?:那种|这种)?(?:太|很|超过|高于|多于|那么|特别))(?:那种|这种)?(?:含有?|带有?)?"
    r"([A-Za-z]+|[\u4e00-\u9fff]{1,6}?)(?=的|，|。|,|\s|$|或|和|、|[那这][种款样类])"
    r"(?:(?:或者|或|和|、)([A-Za-z]+|[\u4e00-\u9fff]{1,6}?)(?=的|，|。|,|\s|$|[那这][种款样类]))?"
)
# "除了黑色都行" (anything but black); not "除了防水还要轻" (besides waterproof, light too)
_ALL_BUT_ZH = re.compile(
    r"除了([A-Za-z]+|[\u4e00-\u9fff]{1,6}?)(?:以外|之外)?的?(?:都|其他|别的|什么)"
)
# A generic head after what is not wanted ("生日图案", "塑料材质"): the words before it.
_ZH_HEADS = re.compile(r"(?:图案|款式|款|样式|风格|材质|材料|颜色|色系|那种|这种|类)$")


# What the shopper wants, said of themselves ("不是我想要的"): no thing to avoid.
_ZH_WANTED = re.compile(r"(?:我|我们)?(?:想要|想找|要找|要|想|需要|喜欢|想买|要买)")


def avoided(text: str) -> list[str]:
    """The words of what the shopper does not want, as said."""
    out: list[str] = []
    for m in _AVOID_EN.finditer(text):
        for word in re.split(r"\s*(?:/|\bor\b|\bnor\b)\s*", m.group(1), flags=re.I):
            word = re.sub(r"^(?:a|an)\s+", "", word.strip(), flags=re.I).casefold()
            if word and word not in _NOT_AVOIDED and word not in _STOPWORDS and len(word) > 1:
                out.append(word)
    zh = [g for m in _AVOID_ZH.finditer(text) for g in m.groups()]
    zh += [m.group(1) for m in _ALL_BUT_ZH.finditer(text)]
    for word in filter(None, zh):
        word = _ZH_HEADS.sub("", word)
        if _ZH_WANTED.fullmatch(word):
            continue  # "这些都不是我想要的": none of these, no word to avoid
        if len(word) > 1 or re.fullmatch(r"[A-Za-z]{2,}", word or ""):
            out.append(word.casefold() if word.isascii() else word)
    return list(dict.fromkeys(out))


_ORDINAL_PHRASE = re.compile(
    r"\b(?:the\s+)?(?:first|second|third|fourth|fifth|last|1st|2nd|3rd)"
    r"(?:\s+(?:one|ones|item|items|product|products))?\b(?:\s+(?:is|are))?"
    r"|第\s*[一二两三四五12345]\s*[个款件种项双台]?|了(?=\s|$)"
    r"|最后(?:一|那|这)一?[个款台件双把张只部]?|打头(?:那|这|的)[个款件双台]?|(?<![然以之])后面?两[个款双件台](?![月星礼小钟])"
    r"|\b(?:the\s+)?(?:middle|top|bottom)\s+(?:one|ones|item|pick|option|result)\b"
    r"|中间(?:那|这)?[个款件双台]|最(?:上|下|左|右)(?:面|边)(?:那|这)?[个款件双台]?",
    re.I,
)


_PLACE_NOUN = r"(?:one|ones|item|pick|option|result|choice|product|listing|pair)"
_PLACES = [
    (
        re.compile(
            rf"\b(?:the\s+)?middle\s+{_PLACE_NOUN}\b|\b(?:one|pick|option)\s+in\s+the\s+middle\b"
            r"|中间(?:那|这|的)|中间一(?:个|款)",
            re.I,
        ),
        1,
    ),
    (
        re.compile(
            rf"\btop\s+{_PLACE_NOUN}\b|\b(?:one|pick|option)\s+(?:at|on)\s+(?:the\s+)?top\b"
            rf"|\bleft-?most\b|最上(?:面|边)|最左(?:面|边)",
            re.I,
        ),
        0,
    ),
    (
        re.compile(
            rf"\bbottom\s+{_PLACE_NOUN}\b|\b(?:one|pick|option)\s+(?:at|on)\s+the\s+bottom\b"
            rf"|\bright-?most\b|最下(?:面|边)|最底下|最右(?:面|边)",
            re.I,
        ),
        -1,
    ),
]


def ordinals(text: str) -> list[int]:
    lowered = text.lower()
    if re.search(r"\b(?:first|top) (?:two|2)\b|前两个|前2个|前两款", lowered):
        return [0, 1]
    if re.search(r"\b(?:first|top) (?:three|3)\b|前三个|前3个", lowered):
        return [0, 1, 2]
    found: list[tuple[int, int]] = []
    for word, index in _ORDINALS_EN.items():
        for m in re.finditer(rf"\b{word}\b", lowered):
            found.append((m.start(), index))
    for m in re.finditer(r"(?:#|number |no\. ?|option |item )(\d)\b", lowered):
        found.append((m.start(), int(m.group(1)) - 1))
    # "items 1 and 3", "items 2, 3": the products shown, numbered in a formal request
    for m in re.finditer(
        r"\b(?:items|options|numbers) ([1-5])((?:\s*(?:,|and|&)\s*[1-5]\b)+)", lowered
    ):
        found.append((m.start(1), int(m.group(1)) - 1))
        found += [
            (m.start(2) + k.start(), int(k.group(0)) - 1) for k in re.finditer(r"[1-5]", m.group(2))
        ]
    # "3号", "2和3": a lone digit numbering the products shown (not "42号", a shoe size)
    for m in re.finditer(r"(?<![\d.])([1-5])\s*号(?![码线])", text):
        found.append((m.start(), int(m.group(1)) - 1))
    pair = r"(?<![\d.$¥])([1-5])\s*(?:和|跟|与|还是|或者?)\s*([1-5])(?![\d.元块%])"
    for m in re.finditer(pair, text):
        found += [(m.start(), int(m.group(1)) - 1), (m.start(2), int(m.group(2)) - 1)]
    for m in re.finditer(r"第\s*([一二两三四五12345])\s*(?:个|款|件|种|项)?", text):
        found.append((m.start(), _ORDINALS_ZH[m.group(1)]))
    if re.search(
        r"\b(?:the\s+)?(?:last|bottom) (?:two|2)\b"
        r"|(?<![然以之])后(?:面)?(?:两|2)(?:个|款|双|件|台|把|张)(?![月星礼小钟])",
        lowered,
    ):
        return [-2, -1]  # "the last two", "后面两个": the two at the end of the list
    # "最后一个", "最后那双", "打头那个" (not the "最后" of "最后问一下", finally)
    if m := re.search(r"最后(?:一|那|这)(?:一)?(?:个|款|台|件|双|把|张|只|部)?", text):
        found.append((m.start(), -1))
    for m in re.finditer(r"打头(?:那|这|的)|头一(?:个|款|双|件|台|把|张)", text):
        found.append((m.start(), 0))
    # "二号，全部参数": a numeral numbering the products shown (not "五号电池", "二号线")
    for m in re.finditer(r"(?<![\d一二三四五六七八九十第])([一二三])\s*号(?![码线电楼])", text):
        found.append((m.start(), _ORDINALS_ZH[m.group(1)]))
    # a place in the list of three shown: "the middle one", "中间那个", "the top result",
    # "最下面那款", "最右边的"
    for rx, index in _PLACES:
        for m in rx.finditer(text):
            found.append((m.start(), index))
    # "the last one", not "how long does it last?" nor "parts that last for decades"
    last = r"\bthe last\b|\blast (?:one|ones|item|product)s?\b"
    for m in re.finditer(last, lowered):
        found.append((m.start(), -1))
    return [index for _, index in sorted(found)]


def convert(amount: float, from_currency: str, to_currency: str) -> float:
    if from_currency == to_currency:
        return amount
    usd = amount * RATES_TO_USD.get(from_currency, 1.0)
    return round(usd / RATES_TO_USD.get(to_currency, 1.0), 2)


# Amounts said in words ("a hundred and fifty bucks", "nothing over two hundred",
# "一百二十美元以内", "两百刀"): read as numbers before the budget is read. English tens and
# hundreds only (a lone "two" or "one" is a count or "the one"); a Chinese numeral with a
# 十, 百, 千 or 万 in it, only where it is said as money (below).
_UNIT_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    " fifteen sixteen seventeen eighteen nineteen"
)
_TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety"
_EN_UNITS = {w: i for i, w in enumerate(_UNIT_WORDS.split())}
_EN_TENS = {w: 10 * i for i, w in enumerate(_TENS_WORDS.split(), 2)}
_EN_SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000}
_EN_NUMBER_WORD = "|".join([*_EN_UNITS, *_EN_TENS, *_EN_SCALES])
# a run of number words ("a hundred and fifty", "two thousand five hundred", "sixty-five")
_EN_SPOKEN = re.compile(
    rf"\b(?:an?\s+(?=(?:hundred|thousand|grand)\b))?(?:{_EN_NUMBER_WORD})"
    rf"(?:(?:\s+and\s+|[\s-]+)(?:{_EN_NUMBER_WORD}))*\b",
    re.I,
)
_ZH_DIGITS = dict(zip("零一二两三四五六七八九", [0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9], strict=True))
# (a Chinese numeral only where it is said as money: before a currency or a budget's
# bound, or after a budget's word; "万用表", "十字螺丝刀", "百搭" are no amounts)
_ZH_NUMERAL = r"[零一二两三四五六七八九十百千万]*[十百千万][零一二两三四五六七八九十百千万]*"
_ZH_BUDGET_BEFORE = (
    "预算", "预算是", "不超过", "最多", "改成", "至少", "超过", "低于", "高于",
    "出到", "花到", "顶多",
)  # fmt: skip
_ZH_SPOKEN = re.compile(
    rf"(?<!第){_ZH_NUMERAL}(?=\s*(?:块钱|块|元|美元|美金|刀|以内|以下|之内|左右|上下))"
    # the low end of a range said in words: "五百到八百块"
    rf"|(?<!第){_ZH_NUMERAL}(?=\s*(?:到|至|~|～)\s*(?:{_ZH_NUMERAL}|\d)\S{{0,4}}(?:块|元|刀))"
    rf"|(?:{'|'.join(f'(?<={w})' for w in _ZH_BUDGET_BEFORE)}){_ZH_NUMERAL}"
)


def _en_spoken(m: re.Match[str]) -> str:
    words = re.findall(r"[a-z]+", m.group(0).casefold())
    if not any(w in _EN_TENS or w in _EN_SCALES for w in words):
        return m.group(0)  # "two", "the one": a count or a pronoun
    total = part = 0
    for word in words:
        if word in ("a", "an"):
            part = 1
        elif word in _EN_UNITS or word in _EN_TENS:
            part += _EN_UNITS.get(word, 0) + _EN_TENS.get(word, 0)
        elif word in _EN_SCALES:
            scale = _EN_SCALES[word]
            if scale == 100:
                part = max(part, 1) * 100
            else:
                total, part = (total + max(part, 1)) * scale, 0
    return str(total + part)


def _zh_spoken(m: re.Match[str]) -> str:
    text, total, section, digit = m.group(0), 0, 0, None
    for ch in text:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        elif ch == "万":
            total, section, digit = (total + section + (digit or 0)) * 10_000, 0, None
        else:
            section += (1 if digit is None else digit) * {"十": 10, "百": 100, "千": 1000}[ch]
            digit = None
    last = text[-1]
    if digit is not None and len(text) >= 2 and text[-2] in "百千" and last in _ZH_DIGITS:
        digit *= {"百": 10, "千": 100}[text[-2]]  # "一百五": 150, "两千五": 2500
    return str(total + section + (digit or 0))


def spoken_numbers(text: str) -> str:
    """The text with amounts said in words written as numbers."""
    text = _EN_SPOKEN.sub(_en_spoken, text)
    return _ZH_SPOKEN.sub(_zh_spoken, text) if _HAN.search(text) else text


def _budget(said: str, p: Parsed) -> str:
    """Fill the budget fields; return the text with budget phrases removed (as said
    where it holds none: "a twenty-inch suitcase" keeps its words)."""
    text = spoken_numbers(said)
    zh_default = "CNY" if p.language == "zh" else "USD"

    def cur(*units: str | None) -> str:
        for unit in units:
            if unit:
                return _SYMBOL.get(unit.strip().lower(), _SYMBOL.get(unit.strip(), "USD"))
        return zh_default

    for rx, kind in (
        (_EN_RANGE, "range"),
        (_ZH_RANGE, "range"),
        (_EN_AROUND, "around"),
        (_ZH_AROUND, "around"),
        (_EN_MAX, "max"),
        (_EN_MAX_AFTER, "max"),
        (_EN_HAVE, "max"),
        (_ZH_MAX, "max"),
        (_EN_MIN, "min"),
        (_ZH_MIN, "min"),
    ):
        m = rx.search(text)
        if not m:
            continue
        groups = m.groups()
        numbers = [float(g) for g in groups if g and re.fullmatch(_NUM, g)]
        units = [g for g in groups if g and not re.fullmatch(_NUM, g)]
        p.currency, p.currency_said = cur(*units), bool(units)
        if kind == "range" and len(numbers) >= 2:
            p.min_price, p.max_price = min(numbers[:2]), max(numbers[:2])
        elif kind == "around":
            p.min_price, p.max_price = round(numbers[0] * 0.8, 2), round(numbers[0] * 1.2, 2)
            p.around = numbers[0]
        elif kind == "max":
            p.max_price = numbers[0]
        else:
            p.min_price = numbers[0]
        text = text.replace(m.group(0), " ")
        if kind in ("range", "around"):
            break
    if p.min_price is None and p.max_price is None and (m := _EN_TARGET.search(text)):
        number = float(next(g for g in m.groups() if g and re.fullmatch(_NUM, g)))
        units = [g for g in m.groups() if g and not re.fullmatch(_NUM, g)]
        p.currency, p.currency_said = cur(*units), bool(units)
        p.min_price, p.max_price = round(number * 0.8, 2), round(number * 1.2, 2)
        p.around = number
        text = text.replace(m.group(0), " ")
    return said if p.min_price is None and p.max_price is None else text


# A numeral and its measure word ("一双", "两件", "几个") says how many, not what, and a
# verb of wanting or buying says nothing of the product: as jieba's words (not "买家"),
# left alone "买一双防水的登山鞋" searched for "双防水".
_ZH_COUNT = re.compile(rf"[一两几]{ZH_MEASURE_WORDS}")
_ZH_WANT = frozenset({"买", "来", "想要", "购买"})
# jieba keeps a verb with its measure word ("想买个", "来个", "要个"): as a whole, no product
_ZH_WANT_ONE = re.compile(rf"(?:想|要|我)?(?:买|来|要|想要|购买){ZH_MEASURE_WORDS}")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _without_counts(text: str) -> str:
    def run(m: re.Match) -> str:
        words = chinese_words(m.group(0))  # the words dropped leave a space, no others
        return "".join(
            " "
            if w in _ZH_WANT
            or _ZH_COUNT.fullmatch(w)
            or _ZH_WANT_ONE.fullmatch(w)
            or re.fullmatch(ZH_MEASURE_WORDS, w)  # a measure word alone ("我要个…")
            else w
            for w in words
        )

    return _HAN_RUN.sub(run, text)


# "not that one, something Italian", "not these": a product in view turned down, no word
# of what is wanted ("not" was searched for)
_NOT_THAT_ONE = re.compile(r"\bnot\s+(?:that|this|these|those|it)(?:\s+ones?)?\b", re.I)


def _content(text: str) -> str:
    # a decimal point stays ("1.75mm", "0.01g": "75mm" and "01g" were searched for)
    text = re.sub(r"(?!(?<=\d)\.(?=\d))[^\w\s\u4e00-\u9fff'-]", " ", text)
    text = _without_counts(text)
    words = [w for w in text.split() if w.lower() not in _STOPWORDS and not w.isdigit()]
    text = _WHAT_ABOUT_ZH.sub(r"\1", " ".join(words))
    for filler in (
        "你好",
        "您好",
        "能给我",
        "给我看看",
        "看看",
        "点什么",
        "什么",
        "买点",
        "东西",
        "需要",
        "可能喜欢",
        "喜欢",
        "吗",
        "最好是",
        "主要用于",
        "用于",
        "我想找",
        "我想",
        "我要",
        "给我推荐",
        "推荐一款",
        "推荐一个",
        "推荐",
        "我想要",
        "我想买",
        "想买",
        "有没有",
        "一款",
        "一个",
        "一下",
        "一点",
        "帮我",
        "礼物",
        "小礼物",
        "买个",
        "买一",
        "找",
        "请",
        "更",
        "点",
        "的",
        "我",
    ):
        text = text.replace(filler, " ")
    # a Chinese word the fillers left on its own ("别" of "有没有别的选择") is read as one
    return " ".join(w for w in text.split() if w not in _ZH_PRONOUNS and w not in _ZH_ALONE)


# Chinese words that say nothing of the thing once left on their own: "别" (other) and
# "选择" (a choice) of "有没有别的选择", as "other" and "options" say nothing in English
_ZH_ALONE = frozenset({"别", "别的", "其他", "其它", "选择", "选项"}) | ZH_WILL_DO


_ZH_PRONOUNS = frozenset({"她", "他", "它", "她们", "他们", "它们"})
# "那背包呢" (and backpacks?): the word asked about, without 那 and 呢
_WHAT_ABOUT_ZH = re.compile(r"(?:(?<=\s)|^)(?:那么|那)?([\u4e00-\u9fff]+?)呢(?=\s|$)")
