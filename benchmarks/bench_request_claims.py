"""Request claims ("You asked for "doesn't slip": its page lists grip: "non-slip"."):
are they true, how often does a product that meets the request get one, and where
does the need-to-passage similarity threshold sit.

    python -m benchmarks.bench_request_claims candidates   # the set to label (once)
    python -m benchmarks.bench_request_claims --fit        # calibrate on the tune part
    python -m benchmarks.bench_request_claims [--part test|tune|all]

The labelled set (benchmarks/data/request_claims.jsonl) holds, for requests written
for the demo shop, Amazon Gift Cards and Industrial & Scientific (English and
Chinese), the products the assistant showed and every request claim the composer
could make for them at the lowest threshold considered (word-for-word matches,
the best passage by meaning, the product's kind): each judged true or false by
reading the request and the product's records, before any tuning. Requests are
split by position: every third one is the test part, never used to fit. The first
batch of requests was written by the sessions that built the composer; the second
(from "need a backpack my teenage son ...", "a christmas-themed amazon gift card
...", "stainless steel machine screws ...") by a separate pass that saw only
samples of each catalog, and its candidates were labelled before the composer was
changed for them. Rows with "pass": 2 were labelled in that second pass (527
claims on 179 products: the second batch, and ten Industrial requests of the first
that had no labels), by readers who saw only the request, the product's records as
the composer reads them and the candidate claims, by the reading in
request_claims_reading.md. A third batch (from "cork yoga mat",
"Netflix gift card", "PETG filament, 1.75mm") was written and labelled the same way
(pass 3), its candidates made by the composer before and after the changes made for
the second, so that both can be scored on requests neither saw; a fourth (from "TPE
yoga mat, purple if you have it") the same way (pass 4), to tell whether the changes
made for the second and third hold on requests written after them; a fifth (from
"need a bag that fits my 15 inch laptop", "starbucks gift card $25", "abs filament
1.75 white") the same way (pass 5), after the kind asked for and needs held in part
were read, to score those on requests written after them; a sixth, and a seventh (from
"need noise cancelling earbuds for the subway", "steakhouse gift card for my brother in
Arizona", "PEX水管用的球阀") written from a new sample of each catalog, the same way. Seven
rows carry
"added": claims that appeared when Chinese words were also translated by
dictionary (four, quoted from another window of the title) and when the verifier
accepted a Chinese need met by its dictionary sense (three, quoted from an attribute),
each the same fact as a labelled claim of its pair; they were judged by the same
reading. Twenty-eight more (all of the tune part) carry "added" too: claims that
appeared when Latin words inside Chinese requests were read as needs ("USB充电", "PLA",
"Claire's") and when 有没有 was no longer read as a negation, and six that earlier
changes had left unlabelled; judged by the same reading, 22 true and 6 false. Five more
(one of the tune part, four of the test part) appeared when a record's word was also found
by the words made of it ("Steakhouses", "Non-contact") and a need for something by a list
after "for"; judged by the same reading, 4 true and 1 false. One more (of the tune part)
appeared when a sentence no longer ended after an initial ("…restaurants in the U.S.
only."): the same fact as a claim of its pair, true. One more (of the tune part) appeared
when a brand's Chinese name was read as the brand ("星巴克", Starbucks): the same fact as a
claim of its pair, from another window of the title, true.

Scored on a part: precision (shown request claims judged true), coverage (of the
products with a true candidate claim, those shown with a true one), claims shown
that were never labelled (0 while the set matches the code), and, per threshold,
the precision and coverage of claims made by meaning (the calibration).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from agent import needs as needs_module
from agent.composer import _request_claim, request_claims
from agent.state import DialogueState
from benchmarks.common import print_table, write_results

DATA = Path(__file__).resolve().parent / "data"
LABELS = DATA / "request_claims.jsonl"
CANDIDATES = DATA / "request_claims_candidates.jsonl"
CALIBRATION = Path(needs_module.__file__).with_name("needs_calibration.json")
LOWEST = 0.25  # the lowest threshold considered: candidates by meaning start here
THRESHOLDS = [round(0.25 + 0.05 * i, 2) for i in range(13)]
PRECISION_GOAL = 0.97
# Where no threshold reaches the goal on the tune part, the lowest within this of the
# most precise one (a claim or two in three hundred), for the coverage it keeps.
PRECISION_SLACK = 0.005

# Requests, written before any tuning: needs said in catalog words and in the
# shopper's own, gifts, budgets, and Chinese.
REQUESTS: dict[str, list[str]] = {
    "demo": [
        "a yoga mat that doesn't slip",
        "a gift for my dad who loves coffee under 100",
        "I want a quiet coffee grinder under 60 dollars for my office",
        "headphones for running",
        "waterproof hiking boots for my wife under 150 dollars",
        "boots that keep my feet dry on muddy trails",
        "headphones that block out noise on long flights",
        "a speaker I can take to the pool",
        "a smartwatch that tracks my sleep",
        "running shoes with lots of cushioning for marathons",
        "a backpack that fits my laptop for school",
        "a warm jacket for winter hiking",
        "a coffee maker with a timer so coffee is ready when I wake up",
        "a sharp knife for carving meat",
        "face cream for sensitive skin without fragrance",
        "a thick yoga mat that is easy on my knees",
        "a desk lamp I can dim for reading at night",
        "a light jacket that stops the wind",
        "a bluetooth speaker with long battery life for camping",
        "a serum for dry skin",
        "trail running shoes for women",
        "a big backpack for travel that survives rain",
        "wireless earbuds for the gym",
        "a paring knife with a comfortable handle",
        "给我推荐200元以内的登山靴",
        "防滑的瑜伽垫",
        "有没有降噪的蓝牙耳机，适合通勤",
        "给妈妈买一个护肤品，200元以内",
        "防水的背包，上学用",
        "适合跑马拉松的跑鞋",
        "可以调光的台灯",
        "无香味的面霜",
        "带磨豆功能的咖啡机",
        "送给爸爸的智能手表，能测心率",
        # the second batch: written by a separate pass that saw only samples of
        # the catalog, and committed before the composer ran on them
        (
            "need a backpack my teenage son can take on school trips, has to fit "
            "his laptop and please not black"
        ),
        "给刚上大学的女儿买个双肩包，能装电脑的，50美元以内",
        (
            "looking for headphones I can wear on long flights that drown out the "
            "engine noise, under 120 bucks"
        ),
        "健身房撸铁时戴的耳机，要无线的，出汗也不怕",
        "a speaker for our pool party that won't die if somebody splashes it",
        "办公室用的台灯，底座能给手机无线充电的那种，白色",
        "is there a coffee machine that grinds the beans itself? no more than $200",
        "早上赶时间，想要个按一下就出咖啡的机器，一杯的量就够，厨房小别太占地方",
        "moisturizer for my mom, her skin is super sensitive and she can't stand anything perfumed",
        "desk lamp for my piano, warm light that's easy on the eyes for evening practice",
        "切肉用的主厨刀，德国钢的，200刀以内",
        "santoku knife with a wooden handle as a housewarming gift, ideally under $90",
        "冬天去滑雪穿的女款羽绒服，要防风，颜色别太暗",
        (
            "women's jacket for biking to work when it's pouring, want to show up "
            "at the office not soaked. green if they have it"
        ),
        "周末去露营用的蓝牙音箱，电池要能撑两天",
        "a watch that can track my sleep and that I can wear in the pool",
        "带心率监测的手表，屏幕要亮一点，太阳底下也看得清，1500块以内",
        "men's trail shoes with lots of cushioning for long mountain races, orange or red",
        "背包旅行穿的男款登山鞋，麂皮的，100美元左右",
        "hiking boots that aren't leather or suede, they're for my vegan daughter",
        "脸晒红了有点刺痛，想买个晒后用的护肤品，不伤皮肤的",
        "a fleece for chilly early-morning dog walks, men's, navy or grey, nothing over $100",
        "在家跟着视频练普拉提，想要张厚点的垫子，跪着膝盖不疼，不要PVC的",
        "women's running shoes with max cushioning for a nurse on 12-hour shifts, under $120",
        # the third batch: written as the second, labelled as the second
        "cork yoga mat",
        "男款抓绒外套，黑色",
        "noise cancelling earbuds for my subway commute, white ones",
        "学生宿舍用的台灯，带USB充电口，不超过50美元",
        "espresso machine with a milk frother",
        "头戴式降噪耳机",
        "a lamp I can clamp onto my drafting table, black, nothing fancy",
        "女款路跑鞋，白色，越轻越好",
        "men's road running shoes, lightweight, under $100",
        "4毫米的天然橡胶瑜伽垫",
        "sunscreen for my oily face that doesn't smell like anything",
        "洗面奶，油皮用的，要温和一点",
        (
            "backpack for multi-day hikes with a sleeve for a water bladder, 45L "
            "or bigger, no more than a hundred and fifty dollars"
        ),
        "跑步用的GPS手表，灰色",
        "paring knife, high-carbon steel",
        "周末短途旅行背的双肩包，30升左右，要防水，别是黑色的",
        (
            "smartwatch with GPS for tracking my bike rides, AMOLED screen, "
            "somewhere between $150 and $250"
        ),
        "日本钢的三德刀",
        "women's rain jacket in olive",
        "办公室放的单杯咖啡机，白色，100美元上下",
        "a little speaker to play podcasts in the shower, red if they make one",
        "冬天早上送孩子上学穿的女士羽绒服，要防水，橄榄绿或者藏青色",
        "knife set with wooden handles for a wedding registry, under 150",
        "travel yoga mat that isn't PVC, thin enough to squeeze into a carry-on",
        # the fourth batch: written and labelled as the second
        "TPE yoga mat, purple if you have it",
        "冬天皮肤干得起皮，想要个含玻尿酸的保湿精华",
        (
            "I'm a zombie until my first cup. Want a coffee maker I can set up the "
            "night before so it's already brewing when my alarm goes off, 4 cups is plenty"
        ),
        "晚上做手工活眼睛容易累，想要个能调色温的台灯，预算60美元左右",
        "Kestrel Audio speaker that'll survive getting dropped in the lake",
        "男款软壳外套，防风的，爬山穿，黑色",
        (
            "over-ear wireless headphones with real active noise cancelling and "
            "long battery life — working from home with two loud kids"
        ),
        "厨房新手，想买一套刀具，手柄要防滑好握的，100美元以内",
        (
            "gps watch for open water swimming, has to be properly waterproof not "
            "just splash resistant"
        ),
        "上班通勤背的电脑包，20升左右就够了，藏青色",
        "ceramide moisturizer",
        "跑步机上穿的男款跑鞋，150美元以内",
        "black espresso machine, just makes one cup at a time, under $250",
        "去海边玩的蓝牙音箱，要防水的，小巧一点能挂在包上",
        "waterproof women's hiking boots in brown suede, under $80",
        "家里经常来客人，想买个一次能做十几杯的咖啡机，白色的",
        (
            "heading to Colorado to ski in February and need a women's jacket "
            "that'll keep me warm on the lift. black or olive, budget around $300"
        ),
        "干皮能用的防晒霜，最好含烟酰胺，不要香味",
        "in-ear wired earbuds with ANC under $80, I'm so tired of charging things",
        "8毫米厚的瑜伽垫，在家练，地板太硬了跪着疼",
        (
            "my husband keeps stepping in puddles walking the dog in winter, he "
            "needs waterproof men's boots, black, nothing crazy expensive"
        ),
        "心率手表 AMOLED屏 灰色",
        "mens red puffer jacket",
        (
            "trail running shoes for my dad, he's started running the hill paths "
            "on weekends. men's, blue, not too pricey"
        ),
        # the fifth batch: written and labelled as the second, after the kind asked
        # for and needs held in part were read
        (
            "need a bag that fits my 15 inch laptop for the train to work, it rains a lot here so "
            "it cant soak through. under $80"
        ),
        (
            "something to track my laps in the pool and my pace when i run outside, so it needs "
            "gps. under 200 bucks"
        ),
        (
            "My husband keeps coming home with soaked feet after hiking muddy trails. he needs "
            "proper waterproof boots, men's 11, brown or black please"
        ),
        (
            "headphones that block out my coworkers talking all day. wireless, and NOT earbuds, "
            "they hurt my ears after an hour"
        ),
        "espresso machine for a tiny apartment kitchen",
        (
            "gift for my nephews 16th bday, hes always at the pool or the beach with friends, want "
            "a speaker thats loud and wont die if it falls in the water. around 50-60 dollars"
        ),
        "womens trail running shoes, lightweight, size 8",
        (
            "going skiing for the first time in feb and honestly have no idea what jacket to get "
            "lol. i run cold but dont want something super bulky, mens medium"
        ),
        (
            "just moved into my first apartment and i have literally one dull knife. need a basic "
            "set that does everything and wont break the bank, wooden handles if possible"
        ),
        (
            "my face gets so dry and flaky every winter, even my moisturizer stings. looking for "
            "something with no fragrance that actually hydrates"
        ),
        "desk lamp that clamps onto the edge of my desk, black, i dont have room for a base",
        (
            "my daughter does homework late at night and keeps squinting, want a lamp for her desk "
            "where she can also charge her phone. white or silver, under $50"
        ),
        "想买个瑜伽垫，家里是木地板，跪着的时候膝盖特别疼，要厚一点的，不要PVC的，怕有味道",
        "周末去爬山用的双肩包，40升左右，能放水袋的，预算150美元以内",
        "给我妈买个手表当生日礼物，她主要想看心率和睡眠，屏幕要亮一点看得清，别太贵",
        "女款登山鞋 防水 绿色 37码",
        "每天坐地铁通勤一个多小时，太吵了，想要个主动降噪的头戴式蓝牙耳机，预算1000元左右",
        "办公室想放一台咖啡机给大家用，最好自带磨豆功能，不要手冲那种太麻烦了",
        "洗澡的时候想听歌，有没有防水的小音箱推见一下，便宜点就行",
        "男士跑鞋，主要在跑步机和马路上跑，缓震好一点的，42码，不要橙色",
        "下个月去西雅图出差，听说天天下雨，想买件女士防水外套，平时通勤穿也不难看的那种，黑色或者橄榄绿都可以",
        "朋友搬新家想送一套刀具，德国钢或者日本钢都行，看起来要上档次一点，200美元以内",
        "油皮而且有点敏感，换季就爆痘泛红，想找个温和的洁面，无香精的，有烟酰胺或者神经酰胺的更好",
        # the sixth batch: written as the second (brief: needs in the shopper's words,
        # the situation around them, what is not wanted), after the firmer matches
        # were read; committed before the composer ran on them
        (
            "My husband keeps waking me up at 5am grinding beans by hand. Is there a machine "
            "that grinds and brews in one go? It's only ever for one person, so it doesn't "
            "need to make a whole pot."
        ),
        (
            "想买个瑜伽垫，家里是木地板，之前那张太薄了跪下去膝盖疼，想要厚一点的，8毫米左右"
            "，颜色别太暗沉"
        ),
        (
            "yoga mat for hot yoga, I sweat a ton and my current one turns into a slip n "
            "slide halfway through class. not PVC please"
        ),
        "防晒霜 敏感肌 无香",
        "noise cancelling earbuds",
        ("冬天一到脸就干得起皮，洗完脸紧绷绷的，想找个温和点的洗面奶，不要有香味，预算20刀以内"),
        (
            "I just moved into my first apartment (tiny kitchen) and I've been cutting "
            "everything with one dull knife from the dollar store. Want a proper set that'll "
            "last, wooden handles if possible, budget around $150."
        ),
        "fragrance-free moisturizer for dry skin, under $35",
        (
            "给我爸买块手表，他每天早上在公园跑步，想让他能看到心率，屏幕要亮、看得清楚，他不"
            "会弄太复杂的东西。预算300美元左右"
        ),
        (
            "Need a watch that can count my laps in the pool and also map where I ran. My "
            "Fitbit died after one swim. Under $250, and not the red one."
        ),
        (
            "下个月去爬武功山，要背两天的东西，帐篷睡袋都有了，就差一个能放水袋的大包，45到"
            "65升，别太贵，一百五十美元以内最好"
        ),
        (
            "Speaker I can actually drop in the lake without killing it. My last one got "
            "splashed at the beach once and never turned on again. Doesn't need to be big."
        ),
        "办公室用的咖啡机，我们组七八个人一起喝，最好能定时，早上到公司就已经煮好了",
        "lamp that clamps onto the edge of the desk, my desk is too small for a base",
        (
            "地铁通勤一个小时，想要头戴式的蓝牙耳机，续航要长，最好一周充一次电就够，200美"
            "元以内，不要白色的，容易脏"
        ),
        (
            "Women's hiking boots for muddy spring walks in Scotland. They have to keep the "
            "water out properly, leather preferred, and nothing green."
        ),
        (
            "My daughter is starting college in September. She walks across campus in the "
            "rain with her laptop and last year her bag soaked through and ruined her "
            "charger. Something around 20-30 liters, a dark color, under $120. What backpack "
            "would you suggest?"
        ),
        "男款雨衣，骑电动车上班经常淋雨，要真正防水的，不是只防风的那种，藏青或者黑色",
        "men's trail shoes, max cushion, my knees are shot",
        "我是油皮，夏天在海边晒完脸又红又烫，想要个清爽点的面霜修复一下，别太油腻",
        (
            "Jacket for windy cold mornings walking the dog, men's. Not down, I'm allergic "
            "to feathers."
        ),
        "宿舍晚上看书用的台灯，能调冷光暖光，顺便能给手机充电，别超过50美元",
        # the seventh batch: written as the second from a new sample of the catalog,
        # committed before the composer ran on them (three that repeated an earlier
        # request nearly word for word left out)
        (
            "need noise cancelling earbuds for the subway, my commute is like 50 min each way "
            "and the train is LOUD. under $150 pls"
        ),
        (
            "My dad is turning 60 and just moved into his first apartment on his own. He's never "
            "owned a decent kitchen knife, he saws through tomatoes with a steak knife lol. I "
            "want to get him one good knife that will last for years, wooden handle would be "
            "nice, budget around $60."
        ),
        (
            "waterproof hiking boots, women's, going to scotland in october and expecting mud "
            "everywhere. no leather or suede pls, i'm vegan"
        ),
        (
            "Looking for a speaker I can take to the pool without worrying when someone splashes "
            "it. The battery has to last a whole afternoon. Nothing huge, it goes in my tote bag."
        ),
        (
            "smartwatch for swimming laps that also tracks heart rate. want a screen i can "
            "actually read in sunlight. no more than $250"
        ),
        (
            "I work night shifts and sleep during the day, so I need a watch that tracks my "
            "sleep properly. Black or a dark colour, doesn't need to be fancy."
        ),
        (
            "Backpack for my 14 yr old starting high school. Has to fit his laptop and survive "
            "the rain on his bike ride to school. Nothing neon."
        ),
        (
            "coffee maker for a small office, 4 of us. we want fresh ground beans but nobody is "
            "going to clean a separate grinder"
        ),
        (
            "womens running shoes for the treadmill, my knees hurt after about 5k so i want as "
            "much cushioning as possible"
        ),
        (
            "Desk lamp for my home office that doesn't give me eye strain in the evenings - "
            "warmer light at night would be great. I'd also love to stop hunting for my phone "
            "charger every day. Under $100."
        ),
        (
            "warm jacket for a ski trip, men's, navy or black. must be actually waterproof, not "
            "just 'water resistant'"
        ),
        "想买一款保湿精华，冬天脸特别干还起皮，皮肤有点敏感，最好是无香味的，50美元以内。",
        "给我妈买个瑜伽垫，她在家跟着视频练，膝盖不太好，想要防滑、踩着舒服一点的，颜色别太花哨。",
        "平时在家办公，一天要开好几个视频会，想要一副降噪耳机，戴久了耳朵不疼的那种，预算200美元以内",
        "露营用的小音箱，要能撑一整晚不断电，防溅水就行，别太重",
        "想给老公买双徒步鞋，他周末经常去爬山，路上泥很多，一定要防水，男款，灰色或者绿色，100美元左右",
        "早上总是赶时间，想要个能预约定时的咖啡机，起床就能喝上，最好是做意式浓缩的，厨房是白色的所以机器也想要白色",
        "刚搬新家，想一次配齐一套刀，切菜切肉都要用，手柄要握着舒服不打滑，不要木柄的（怕受潮发霉）",
        "找个双肩包周末短途旅行用，20升左右就够，能放下13寸笔记本，下雨不怕湿，别太贵",
    ],
    "gift_cards": [
        "a gift card for a steakhouse dinner",
        "an e-mail gift card I can send today for a birthday",
        "a gift card for my sister who loves sushi",
        "a pizza gift card that doesn't expire",
        "a gift card for running shoes",
        "a spa gift card for mother's day",
        "a gift card for a coffee shop",
        "an Amazon gift card with a christmas design",
        "给朋友买一张可以用邮件发送的礼品卡",
        "生日礼品卡，不会过期的",
        # the second batch
        "a christmas-themed amazon gift card I can email to my nephew tonight",
        "同事天天喝咖啡，想送张咖啡店的礼品卡，25美元左右",
        "thank-you gift card for my kid's teacher, around $25",
        "gift card for a coworker who's obsessed with guitars, somewhere between $25 and $50",
        "情人节想送女朋友一张美妆店的礼品卡，丝芙兰那种",
        "restaurant gift cards in a multipack so I can hand them out to my team, under $60 total",
        (
            "something for a friend who just had a baby — a gift card with a baby "
            "design, not a restaurant one"
        ),
        "母亲节送妈妈的亚马逊电子礼品卡，卡面要有花的",
        "gift card my 16 year old can spend on games, NOT amazon",
        (
            "graduation gift card for my niece finishing college, one I can print "
            "at home since the party is tomorrow"
        ),
        "朋友生病住院了，想送张祝早日康复的礼品卡，不要圣诞或者生日图案的",
        "a spa or massage gift card for our anniversary, no more than $50",
        "gift card holders for a bridal shower, a few of them, something elegant",
        "父亲节给爸爸的电子礼品卡，他喜欢骑车，卡面跟自行车有关的最好",
        "忘了朋友生日了，想补一张迟到的生日礼品卡，风格搞笑一点的",
        # the third batch
        "Netflix gift card",
        "亚马逊电子礼品卡，感恩节主题的",
        "my husband loves fast cars, is there some kind of race-car experience gift under $100?",
        "老爸喜欢钓鱼打猎，想给他买张户外用品店的礼品卡，50美元",
        "printable Amazon gift card that says I'm sorry",
        "闺蜜刚生了个女儿，想送张亚马逊礼品卡，能打印出来的那种",
        "steakhouse gift card for my boss's retirement, $100",
        "能上传自己照片做卡面的礼品卡",
        "a cute tin or box to put a gift card in, polka dots maybe",
        "看电影用的礼品卡，三张装的",
        "gift card for a pet store, my sister just adopted a puppy",
        "披萨店的礼品卡，20美元左右",
        "Amazon gift card for my dad's 50th birthday",
        "Hanukkah eGift card for my in-laws, animated if possible",
        "airline gift card for my daughter at college out of state so she can fly home, $50",
        # the fourth batch
        "need about 5 starbucks cards to hand out to the volunteers at our school fundraiser",
        "女儿一直吵着要去Build-A-Bear自己做个毛绒熊，想给她买张礼品卡",
        "amazon egift card for easter",
        "亚马逊礼品卡，儿子16岁生日，卡面有汽车图案的那种，要能打印",
        "my brother is moving across town next month, is there some kind of gift card for movers?",
        "a gift card for a plus-size clothing store for my sister, $25",
        "想送朋友一张中餐馆的礼品卡，像P.F. Chang's那种，50美元",
        (
            "Amazon gift card that comes in a nice box for my boss, something that "
            "looks classy, around $50"
        ),
        "happy kwanzaa gift card I can print",
        "外甥女特别喜欢逛Claire's，想买张他们家的电子礼品卡",
        "gift card for Administrative Professionals' Day for our office manager",
        "老公爱打游戏，想给他买一年的PlayStation Plus会员卡",
        (
            "my sister-in-law lives in Seattle and has somehow never been up the "
            "Space Needle — is there a gift card for that?"
        ),
        "要寄给外地朋友，想要夹在贺卡里能邮寄的亚马逊礼品卡，最好一次买三张",
        "ulta beauty e-gift card",
        # the fifth batch: written and labelled as the second, after the kind asked
        # for and needs held in part were read
        "starbucks gift card $25",
        (
            "My nephew is obsessed with his PlayStation, turning 15 next week. What card would let "
            "him buy games or online stuff? Around $50-65 is fine"
        ),
        (
            "need something for a coworker who's retiring, she loves going out to dinner but I "
            "don't know which resturants she likes so maybe something that works at a bunch of "
            "places? budget about 50"
        ),
        (
            "forgot my sisters bday lol its today. need something i can email her in the next "
            "hour, she's into makeup and skincare"
        ),
        (
            "Looking for a little tin or holder to put a gift card in so it doesn't look so plain "
            "when I hand it over. Nothing too bridal-looking please"
        ),
        (
            "my dad is a huge outdoors guy, fishing hunting all that. physical card mailed to his "
            "house, under $100"
        ),
        (
            "printable amazon card with a thank you design for my kid's teacher, want to print it "
            "at home tonight"
        ),
        (
            "hi so my best friend is moving to seattle and also she loves like fancy experiences?? "
            "is there anyting thats more of an experience than a store card, not food related pls, "
            "she's on a strict diet rn"
        ),
        "我老公超级喜欢赛车，生日想送他一个能亲自坐真赛车的体验，预算三百美元左右，有推荐吗？",
        "想给刚生宝宝的同事送一张亚马逊礼品卡，最好是实体卡，包装可爱一点的那种，二十美元就够了",
        "有没有可以发邮件的电子礼品卡？给在美国读书的表弟，他平时就爱看电影刷剧，不要餐厅的",
        "母亲节快到了，我妈喜欢做SPA按摩，想买张五十美元左右的卡直接寄给她",
        "公司年底要给五个员工发小礼物，想买星巴克那种一套好几张的，总共一百块以内",
        "小侄女八岁，特别喜欢毛绒玩具，想送一张能让她自己去店里做小熊的礼品卡",
        "我朋友住在加拿大，想送她一张在加拿大也能用的礼品卡，吃饭或者买衣服的都行，不要亚马逊的，谢谢",
        # the sixth batch: written as the second (brief: needs in the shopper's words,
        # the situation around them, what is not wanted), after the firmer matches
        # were read; committed before the composer ran on them
        (
            "my nephew turns 16 next week and he's obsessed with cars. is there an amazon "
            "gift card with a car on it that I can print at home? he already has a kindle so "
            "not one of the kindle-themed ones"
        ),
        "need 5 starbucks cards for my team, around $100 total",
        (
            "So my coworker is moving across town next month and she's been stressing about "
            "it for weeks. Her last movers scratched up her dresser and took forever, and "
            "she doesn't own a car, let alone anything big enough for furniture. A few of us "
            "want to chip in on something practical that actually pays for people to do the "
            "heavy lifting, truck included. Does anything like that exist here?"
        ),
        (
            "forgot my sister's birthday AGAIN 🙈 need something that shows up in her inbox "
            "today, ideally a card that jokes about it being late"
        ),
        (
            "steakhouse gift card for my dad, $50 to $100, he lives in central "
            "Massachusetts. no fast food places please"
        ),
        (
            "gift card holders for a bridal shower, need about 6, elegant looking, nothing "
            "cartoonish"
        ),
        "netflix gift card",
        (
            "My husband has been a racing nut since he was a kid and never misses a race on "
            "TV. We'll be in Miami in March for my cousin's wedding and I'd love for him to "
            "finally sit in a real race car going full speed. He'd be riding along, I do NOT "
            "want him behind the wheel himself, and please keep it under $150."
        ),
        (
            "end of the school year thank-you for my son's teacher — a physical card I can "
            "tuck in with his drawing, not an email one, $10-25, something she can spend on "
            "books or classroom stuff"
        ),
        "想给爱打游戏的表弟买一年的PS会员，别给我推Xbox的",
        "闺蜜下周生日，她超爱化妆品，想送张能直接发到她邮箱的卡，不要实体卡，寄过去太慢了",
        (
            "我们公司每年年底都会给保洁阿姨和保安大哥准备点小心意。去年送的是一家超市的购物卡"
            "，结果好几个人说附近根本没有那家店，等于白送。今年想换成全国到处都有分店、可以去"
            "吃饭的那种卡，每张25美元左右，最好一次能买好几张。"
        ),
        (
            "朋友家孩子过六岁生日，特别喜欢毛绒玩具，有没有那种可以带她去店里自己动手做玩偶的"
            "礼品卡？50刀以内"
        ),
        (
            "同事刚生了宝宝，想送亚马逊的卡，但希望包装好看一点，拆开有惊喜感的那种，不要黑色"
            "盒子，太沉闷了"
        ),
        (
            "我爸妈明年想飞过来看我，机票钱我想帮他们出一部分，有没有航空公司的礼品卡？最好是"
            "不会过期的"
        ),
        "咖啡店礼品卡 25刀",
        # the seventh batch: written as the second from a new sample of the catalog,
        # committed before the composer ran on them (three that repeated an earlier
        # request nearly word for word left out)
        "my mom loves sushi, want to get her a restaurant gift card around $75 for her birthday",
        (
            "Need a last-minute gift for a coworker who's leaving tomorrow. It has to arrive by "
            "email tonight and be something generic she can spend on anything. Nothing cheesy or "
            "cartoonish."
        ),
        (
            "movie ticket gift card for my 12 yo nephew, he loves animated movies so a fun "
            "design is good"
        ),
        "amazon gift card in a tin for a christmas stocking, $25",
        (
            "Our daughter just got married. I want to give the couple a gift card with a wedding "
            "design, and I'd like it to be a physical card they can keep, not an email."
        ),
        (
            "gift card for a 16 year old girl who basically lives at the mall, idk what brands "
            "she likes, something aimed at teens"
        ),
        (
            "Is there an e-gift card where I can put a photo of my grandkids on it? It's for my "
            "son's birthday and he lives too far away to visit."
        ),
        (
            "steakhouse gift card for my brother in Arizona. it has to actually be usable out "
            "there, not some chain that only exists on the east coast"
        ),
        (
            "Gift card for a friend who loves fashion but wears a size 22 and hates going to "
            "stores that don't carry her size."
        ),
        (
            "$500 amazon card for my assistant's 10 year work anniversary. needs to look classy, "
            "in a nice box, no silly graphics"
        ),
        "bbq restaurant gift card, charlotte nc",
        (
            "something for my niece heading off to college this fall, a gift card but with "
            "something practical attached, like a phone charger"
        ),
        "母亲节想给妈妈发一张电子礼品卡，图案最好有花，温馨一点的，不要搞笑风格",
        "想送朋友一家四口一张餐厅礼品卡，他们有两个小孩，要那种有儿童菜单的家庭餐厅，预算60美元左右",
        "同事过生日，想送一张能买任何东西的亚马逊礼品卡，直接发到她邮箱就行，50美元",
        "表哥在部队服役，想寄一张礼品卡给他，设计要跟军人有关的，最好能打印出来夹在信里",
        "朋友特别爱吃墨西哥菜，尤其是taco，想送她一张这类餐厅的礼品卡，25块左右就行",
        "我爸爱看电影，父亲节想给他买张能订电影票的礼品卡，不要卡通人物的图案",
        "圣诞节想整蛊一下我弟 有没有那种印着一块煤的礼品卡哈哈",
        "想给刚搬家的朋友一张百货商店的礼品卡，家居用品、衣服、首饰都能买的那种，不要只能买一类东西的",
    ],
    "industrial": [
        "PLA filament for my 3D printer that is non toxic",
        "strong magnets for the fridge",
        "brad nails for a nail gun",
        "antibacterial wipes for the office",
        "glass flasks for a chemistry lab that handle heat",
        "tape that withstands high heat for electronics",
        "plastic test tubes with caps",
        "a sturdy cart that can carry heavy loads",
        "disposable face masks for a clinic",
        "a wood vise for my workbench",
        "3D打印机用的PLA耗材",
        "耐高温的胶带",
        # the second batch
        (
            "stainless steel machine screws for a boat project, flat head #10-24, "
            "can't have anything that rusts in salt air"
        ),
        "焊接电路用的热缩管套装，要多种尺寸多种颜色的",
        "brad nails for my DeWalt nailer, 18 gauge, a big box like 5000",
        "exam gloves for a nurse with a latex allergy, size small, box of 100",
        "实验室用的玻璃烧杯，要耐热的硼硅玻璃，一套好几个规格的",
        (
            "a cheap oscilloscope for a hobbyist just learning electronics, "
            "doesn't need to be fancy, under $300"
        ),
        "自己在家酿葡萄酒用的酵母，10包左右",
        "duct tape that's see-through so it doesn't look ugly on my clear storage bins",
        "a pocket pH tester to check my aquarium water",
        "车间里用的干湿两用吸尘器，不锈钢桶的，容量大点，1000块以内",
        "heat shrink tubing to seal the wiring on my trailer lights, black only",
        "修淋浴房用的密封胶，要透明防水的，不要白色的",
        "a stethoscope for my daughter starting nursing school, pink if possible",
        "something to soak up moisture in my gun safe, reusable and changes color when it's full",
        "给上初中的儿子做Arduino小实验用的面包板，透明的，买三块",
        (
            "3d printer filament that isn't PLA — need something tougher for parts "
            "that sit in a hot car all summer"
        ),
        "陶艺窑用的测温仪，要能测到一千度以上，带探头的",
        "clear glue for the PVC pipes on my sprinkler repair, 8 oz can is plenty",
        "装精油的小瓶子，要玻璃的不要塑料的，棕色避光，一打左右",
        (
            "digital caliper with a big easy-to-read screen for my woodworking, my "
            "eyes aren't what they used to be"
        ),
        "给孩子用的牙膏，不含氟的，成分天然一点",
        # the third batch
        "PETG filament, 1.75mm",
        "紫色的PLA耗材，1.75毫米",
        "non-contact infrared thermometer",
        "不锈钢六角螺母套装",
        "tiny neodymium disc magnets for a craft project, at least 50 in the pack",
        "显微镜载玻片和盖玻片，要预清洗过的",
        "adjustable bench power supply for electronics, up to 30 volts",
        "3D打印机喷嘴，0.4毫米，要不锈钢的，不要黄铜的",
        "pocket hole screws, 1-1/2 inch, coarse thread",
        "修车用的液压千斤顶，4吨的",
        (
            "something to move wine from one carboy to another without stirring up "
            "the gunk at the bottom"
        ),
        "蓝色的环形冷压端子，100个装",
        "refractometer to check the sugar in my beer wort",
        "做实验用的塑料量筒，一整套不同规格的",
        "self-fusing silicone tape to patch a leaky garden hose",
        "食品级柠檬酸，大袋的，做果酱用",
        "small zip lock bags, 2x3 inch, box of 1000",
        "修手机用的防静电镊子套装",
        "a vise for my drill press",
        "resistor assortment kit for a beginner, 1/4 watt",
        "thermal paste for my CPU, not the liquid metal stuff",
        # the fourth batch
        "handheld oscilloscope small enough to throw in my toolbag",
        "卧室用的温湿度计，看湿度的，数字显示",
        "6 inch dial caliper, stainless, Starrett if you carry it",
        "18-22AWG的热缩对接端子，100个装",
        "my drill bits keep wandering when I try to drill sheet metal, need a step bit set",
        "4 1/2 inch grinding wheels, bulk pack",
        "粘亚克力板用的胶水，要透明的",
        "JB Weld that can handle high heat, fixing a crack near my exhaust",
        "飞利浦Sonicare的替换刷头，3支装",
        "blue glass dropper bottles, 4 oz, about six of them, for homemade tinctures",
        "一次性乙烯基手套，L码，一盒100只",
        "NEMA 17 stepper motors, 5 pack for a CNC build",
        (
            "my ABS prints won't stick to the printer bed — what's that orange "
            "polyimide tape people put on it? sheets would be great"
        ),
        "磁力表座，吸力大一点的",
        "pH 7 calibration buffer solution, 500ml bottle",
        "放贴片电阻电容的元件收纳盒",
        "electrolytic capacitor assortment kit",
        "ABS耗材 1.75 白色 1公斤",
        "wound cleanser for my elderly mom, the home nurse said to get a big bottle",
        "车库地面想刷一层漆，有没有整套的地坪涂料",
        "10 inch caster wheel that never goes flat, for my shop cart",
        # the fifth batch: written and labelled as the second, after the kind asked
        # for and needs held in part were read
        "abs filament 1.75 white, 1kg spool",
        (
            "need something to check the pH of my hydroponic reservoir every few days. cheap "
            "pen-type tester is fine, under $20, and do i need calibration solution with it?"
        ),
        (
            "my printers hotend nozzle keeps clogging and its worn out after printing glow in the "
            "dark stuff. want a pack of 0.4mm replacement nozzles, stainless or hardened, M6 "
            "thread for an MK8 style extruder"
        ),
        (
            "Looking for a 2 channel oscilloscope for hobby audio and arduino debugging, at least "
            "50MHz. Budget is around $300-400, don't want one of those tiny handheld toy ones"
        ),
        (
            "small strong magnets, about 1/4 inch discs, need maybe 30 for a magnetic "
            "whiteboard/fridge calendar project"
        ),
        (
            "rewiring the lights on my boat trailer and the old crimps all corroded. want heat "
            "shrink butt connectors that actually seal out water, 18-22 gauge, like 100 of em"
        ),
        (
            "borosilicate glass beakers set for my kids homeschool chemistry, few sizes up to 1 "
            "liter. glass please, no plastic"
        ),
        "Nitrile exam gloves powder free size small, box of 100. NOT latex, I'm allergic",
        (
            "making wine from our own grapes this fall and i keep breaking glass hydrometers lol. "
            "is there something that reads brix / sugar from just a couple drops?"
        ),
        (
            "stainless 1/4-20 hex nuts and 3/8 flat washers for an outdoor deck railing, the zinc "
            "plated ones I used before rusted in a year"
        ),
        (
            "adjustable bench power supply w/ digital display, up to 30v and like 5 amps, for "
            "testing led strips and small dc motors on my workbench"
        ),
        "想买一卷PLA耗材，1.75mm的，1公斤装，颜色要红色或者金色都行，国产便宜点的也可以",
        "3D打印机热床想加一块玻璃板，MK2热床用的，要硼硅玻璃那种不容易热裂的，有吗",
        "修手机用的镊子，要防静电的，最好一套里面尖头、圆头、弯头都有",
        "求推荐数显卡尺或者带表卡尺，0-150mm就够了，精度要到0.02，不要那种塑料壳的便宜货",
        "电阻包，1/4W的，常用阻值都要有，10欧到1M那种，学生做电子实验用，数量多一点",
        "A4988步进电机驱动有没有5个一包的？要带散热片，接RAMPS1.4板子用",
        "自己烧陶瓷小窑，要测一千度以上的温度，想要K型热电偶的测温仪，双通道更好",
        "显微镜课用的载玻片和盖玻片，要预先清洗过的，磨边的，一百多片左右，学生用",
        "家里换水管要用的PVC胶水，透明的，粘半寸（1/2寸）的PVC给水管，顺便有没有90度弯头10个装的",
        "诊所前台用的口罩，挂耳式的，一盒50个左右，颜色无所谓",
        # the sixth batch: written as the second (brief: needs in the shopper's words,
        # the situation around them, what is not wanted), after the firmer matches
        # were read; committed before the composer ran on them
        (
            "My daughter's science fair project is about how sunlight splits into colors, "
            "and the book she's following says to hold something up to a window. We already "
            "have a flashlight and white poster board at home. Looking for a glass prism, "
            "the bigger the better, not the plastic toy kind."
        ),
        "PETG filament 1.75 white",
        "need nitrile gloves in medium, no powder - my hands break out from latex",
        (
            "Fixing a torn seam on our boat cover, the last tape peeled off after one rainy "
            "week. I want something that still sticks when it's wet and stays put. Not duct "
            "tape again please."
        ),
        (
            "Looking for a cheap oscilloscope for hobby audio repair, under $300, don't need "
            "more than 2 channels"
        ),
        (
            "heat shrink assortment with lots of sizes, black is fine, but not the cheap "
            "stuff that splits as soon as I hit it with the heat gun"
        ),
        (
            "stethoscope for nursing school, my instructor said it has to be dual head, and "
            "I'd like any color except black so I can spot mine in the locker room"
        ),
        (
            "Homebrewer here. I've been using a glass hydrometer and broke two of them this "
            "month. Want something that tells me the sugar level from just a couple of drops."
        ),
        "m3 standoffs",
        (
            "My toddler refuses to drink his medicine from the cup, and the pharmacist said "
            "to squirt it into the side of his cheek instead. Need a pack of small ones with "
            "no needles, 10ml or smaller."
        ),
        (
            "Need a caliper that reads both inches and mm, with a big display because my "
            "eyes aren't what they used to be. Under $30."
        ),
        (
            "We keep camera lenses in a hall closet that gets humid every summer, and fungus "
            "already ruined one. What can I toss in the bag to pull the moisture out? "
            "Ideally something that changes color when it's used up."
        ),
        "PLA耗材 1.75mm 1公斤 要紫色的",
        "给学校实验室买烧杯，要玻璃的，不要塑料的，50到250毫升几个规格都要",
        (
            "家里第一次自酿葡萄酒，发酵到一半就停了，邻居说可能是酵母没劲了。想买点能让发酵重"
            "新动起来的东西，一百块以内。"
        ),
        "焊电路板的时候小零件老是夹不住掉地上，想要一套尖头比较细的镊子，最好防静电",
        "钕磁铁 小圆片 数量多点",
        (
            "厨房水槽下面的管子接头一直渗水，老公上次缠了一圈胶布根本没用。想找个防水的密封胶"
            "，透明的，别有太大的味道"
        ),
        "测鱼缸水酸碱度用的，笔式那种，五十块以内，不想再用试纸一张张对颜色了",
        ("我在学Arduino，入门套件里送的电阻太少了，想要一盒各种阻值都有的，1/4瓦就行，不要贴片的"),
        "3D打印机热床上贴的胶带该换了，要耐高温的那种",
        "小诊所用的一次性口罩，挂耳式的，一盒五十个左右",
        # the seventh batch: written as the second from a new sample of the catalog,
        # committed before the composer ran on them (three that repeated an earlier
        # request nearly word for word left out)
        (
            "My 3D printer nozzle keeps wearing out since I started printing carbon fibre "
            "filament. Need a harder nozzle for a Flashforge Creator Pro, 0.4mm."
        ),
        (
            "glue for joining PVC pipes on my backyard sprinkler system. low fumes please, I'm "
            "working inside a small shed"
        ),
        (
            "heavy duty plastic sheeting to put under a concrete slab as a vapor barrier, needs "
            "to cover at least 20x20 ft"
        ),
        (
            "Looking for a desktop 3D printer for my 5th grade classroom. It has to be quiet and "
            "safe around kids, and easy enough that I don't need to babysit it."
        ),
        (
            "I keep zapping my circuit boards when I work on them in winter, the air is so dry. "
            "need something to ground myself, with a long cord so I can move around the bench"
        ),
        "aluminum rivet assortment, mixed 1/8 and 3/16 sizes, several hundred pcs",
        (
            "need a thermometer to check the temp of my pizza oven from a distance without "
            "touching it. oven gets to like 900F"
        ),
        (
            "Stethoscope for nursing school, I'm on a tight budget and it's mostly for taking "
            "blood pressure. Black please."
        ),
        (
            "CPR masks for our hiking club's first aid kits. small enough to clip on a keychain, "
            "need at least 5"
        ),
        (
            "trying to organize my garage - need something to hang bikes and a ladder from the "
            "ceiling that won't scratch the bike paint"
        ),
        "实验室用的玻璃烧杯，要耐高温的硼硅玻璃，600毫升左右，要有刻度",
        "给孩子学校的科学课买试管，要塑料的不容易摔碎，带盖子和试管架，大概50支以上",
        "家里地下室总是很潮，想买个湿度计放着看看，屏幕字大一点，我爸妈也能看清",
        "浴室瓷砖要重新打胶，想要白色的填缝胶，防水防霉，干了以后还能刷漆",
        "PEX水管用的球阀，1/2寸，不要黄铜的，担心含铅",
        "拖车后面要贴反光条，红白相间、防水的那种，长度至少25英尺",
        "修车用的千斤顶，皮卡和小拖拉机都要顶，最好20吨以上，要结实耐用不漏油",
        "压接端子套装，各种线径都要有，带绝缘套的，数量多一点，给车上改线用",
    ],
}


def split(index: int) -> str:
    return "test" if index % 3 == 2 else "tune"


def load_labels(part: str = "all") -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in LABELS.read_text("utf-8").splitlines() if line.strip()]
    return [r for r in rows if part == "all" or r["split"] == part]


def _assistant(home: Path, catalog: str):
    from benchmarks.agent_common import prepare
    from benchmarks.bench_agent import _assistant as assistant

    store = prepare(home, catalog)
    return store, assistant(home, store, catalog, "none").agent


def _state(request: str, language: str) -> DialogueState:
    state = DialogueState(language=language)
    state.turns = 1
    state.hear(request)
    state.asked_for_products()
    return state


def _claims(agent, state: DialogueState, product, shopper: str | None = None) -> list:
    """The request claims the composer makes for the product now."""
    ctx = agent._context(state, shopper, None)
    lang = "zh" if state.language == "zh" else "en"
    messages = state.request()
    return request_claims(
        ctx, product, needs_module.needs_of(messages), lang, agent.names, messages
    )


def candidates(home: Path) -> list[dict[str, Any]]:
    """Every request claim the composer could make for the shown products at the
    lowest threshold (and the kind claim), to be labelled: for the requests that have
    no labels yet."""
    from agent.agent import new_state
    from agent.parse import detect_language

    labelled = {r["request"] for r in load_labels()} if LABELS.exists() else set()
    rows: list[dict[str, Any]] = []
    for catalog, requests in REQUESTS.items():
        store, agent = _assistant(home, catalog)
        for index, request in enumerate(requests):
            if request in labelled:
                continue  # a batch is labelled once, by the code as it was then
            language = detect_language(request)
            reply = agent.turn(new_state(language), request, None)
            for shown in reply.products:
                product = agent.by_id[shown.product_id]
                state = _state(request, language)
                needs_module.OVERRIDE.clear()
                needs_module.OVERRIDE["threshold"] = LOWEST
                try:
                    ctx = agent._context(state, None, None)
                    found = needs_module.needs_of(state.request())
                    report = needs_module.match_needs(ctx, product, found, LOWEST)
                    kind = needs_module.kind_match(ctx, product, report.kind_only)
                    lang = "zh" if language == "zh" else "en"
                    made = [
                        (m, _request_claim(ctx, m, lang))
                        for m in [*report.matches, *([kind] if kind else [])]
                    ]
                finally:
                    needs_module.OVERRIDE.clear()
                for match, claim in made:
                    if claim is None:
                        continue
                    rows.append(
                        {
                            "catalog": catalog,
                            "language": language,
                            "request": request,
                            "split": split(index),
                            "product_id": product.id,
                            "title": product.title,
                            "claim": claim.text,
                            "citation": claim.citations[0],
                            "passage": match.passage.text,
                            "how": match.how,
                            "score": round(match.score, 4),
                            "label": None,
                        }
                    )
        store.close()
    return rows


def evaluate(home: Path, part: str, thresholds: list[float] | None = None) -> dict[str, Any]:
    """Precision and coverage of the claims the composer shows now, on one part."""
    labels = load_labels(part)
    by_key = {(r["request"], r["product_id"], r["claim"]): r for r in labels}
    pairs: dict[tuple[str, str], list[dict]] = {}
    for r in labels:
        pairs.setdefault((r["catalog"], r["request"], r["product_id"]), []).append(r)
    shown = true = unlabelled = covered = coverable = 0
    seconds: list[float] = []
    agents: dict[str, Any] = {}
    stores = []
    for (catalog, request, pid), rows in sorted(pairs.items()):
        if catalog not in agents:
            store, agents[catalog] = _assistant(home, catalog)
            stores.append(store)
        agent = agents[catalog]
        state = _state(request, rows[0]["language"])
        started = time.perf_counter()
        claims = [c for c in _claims(agent, state, agent.by_id[pid]) if c.kind == "request"]
        seconds.append(time.perf_counter() - started)
        judged = [by_key.get((request, pid, c.text)) for c in claims]
        shown += len(claims)
        true += sum(bool(j and j["label"]) for j in judged)
        unlabelled += sum(j is None for j in judged)
        if any(r["label"] for r in rows):
            coverable += 1
            covered += any(j and j["label"] for j in judged)
    for store in stores:
        store.close()
    calibration = []
    for threshold in thresholds or THRESHOLDS:
        made = [r for r in labels if r["how"] == "meaning" and r["score"] >= threshold]
        calibration.append(
            {
                "threshold": threshold,
                "by_meaning": len(made),
                "precision": sum(r["label"] for r in made) / len(made) if made else None,
                "true_kept": sum(r["label"] for r in made),
            }
        )
    return {
        "part": part,
        "pairs": len(pairs),
        "labelled": len(labels),
        "labelled_true": sum(bool(r["label"]) for r in labels),
        "shown": shown,
        "precision": true / shown if shown else None,
        "coverage": covered / coverable if coverable else None,
        "unlabelled_shown": unlabelled,
        "ms_per_product_p50": sorted(seconds)[len(seconds) // 2] * 1000 if seconds else None,
        "calibration": calibration,
    }


def fit(home: Path) -> dict[str, Any]:
    """The lowest threshold at which the request claims the composer shows on the tune
    part are at least PRECISION_GOAL precise overall (claims by words, by kind and by
    meaning together, as a shopper reads them), so coverage is as high as precision
    allows; where none is, the lowest within PRECISION_SLACK of the most precise."""
    table = []
    try:
        for threshold in THRESHOLDS:
            needs_module.OVERRIDE.clear()
            needs_module.OVERRIDE["threshold"] = threshold
            got = evaluate(home, "tune", [threshold])
            table.append({k: got[k] for k in ("precision", "coverage", "shown")})
            table[-1]["threshold"] = threshold
    finally:
        needs_module.OVERRIDE.clear()
    passing = [r for r in table if (r["precision"] or 0) >= PRECISION_GOAL]
    if not passing:  # the goal out of reach: the most precise, less a claim or two
        top = max(r["precision"] or 0 for r in table)
        passing = [r for r in table if (r["precision"] or 0) >= top - PRECISION_SLACK]
    best = passing[0]
    result = {
        "threshold": best["threshold"],
        "tune_precision": round(best["precision"] or 0, 4),
        "tune_coverage": round(best["coverage"] or 0, 4),
        "fitted_on": "tune part of benchmarks/data/request_claims.jsonl",
        "search": table,
    }
    CALIBRATION.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    needs_module._calibration.cache_clear()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", nargs="?", choices=["candidates", "evaluate"], default="evaluate")
    parser.add_argument("--part", choices=["test", "tune", "all"], default="test")
    parser.add_argument("--fit", action="store_true")
    parser.add_argument("--home", type=Path, default=None)
    args = parser.parse_args(argv)
    home = args.home or Path("data/bench-request-claims")
    home.mkdir(parents=True, exist_ok=True)
    if args.step == "candidates":
        rows = candidates(home)
        CANDIDATES.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
        print(f"wrote {len(rows)} candidate claims to {CANDIDATES.name}")
        return
    if args.fit:
        fitted = fit(home)
        print_table(fitted["search"], ["threshold", "shown", "precision", "coverage"])
    result = evaluate(home, args.part)
    table = [
        {k: result[k] for k in ("part", "pairs", "shown", "precision", "coverage")},
    ]
    print_table(table, list(table[0]))
    print_table(result["calibration"], ["threshold", "by_meaning", "precision", "true_kept"])
    path = write_results(
        f"request_claims{'' if args.part == 'test' else '_' + args.part}",
        [result],
        threshold=needs_module.need_threshold(),
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
