"""Hand-written sentence fragments the generator composes histories from (zh, en, mixed).

Each list is split: the tuning set draws from the first two thirds only, the test set from
all of it, so the test part holds phrasings the weights were never chosen on."""

PROBLEM = {
    "zh": [
        "核心网MME板卡告警，部分用户附着失败",
        "湖滨片区基站退服三个",
        "OTN设备持续高温告警",
        "网管服务器登录不上",
        "光纤专线时断时续",
        "升级后话务统计报表缺数据",
        "传输环网单边中断",
        "5G小区掉话率突然升高",
        "机房电源模块告警",
        "政企专线丢包严重",
        "HLR数据同步失败",
        "IPTV业务卡顿，用户反映多",
        "割接后部分VoLTE呼叫失败",
        "基站GPS失锁",
        "信令风暴导致CPU占用高",
    ],
    "en": [
        "the MME board is alarming and some subscribers cannot attach",
        "three cell sites in the lakeside area are off air",
        "the OTN shelf keeps raising a high-temperature alarm",
        "we cannot log in to the network management server",
        "the leased fibre line drops every few hours",
        "traffic reports are missing data since the upgrade",
        "one side of the transport ring is down",
        "the 5G drop-call rate jumped this morning",
        "the power module in the equipment room is alarming",
        "enterprise leased lines show heavy packet loss",
        "HLR data synchronisation fails",
        "IPTV streams stutter and users are calling us",
        "some VoLTE calls fail after last night's cut-over",
        "a base station lost GPS lock",
        "a signalling storm is pushing CPU load up",
    ],
    "mixed": [
        "核心网MME board告警，部分UE attach失败",
        "湖滨三个site退服了",
        "OTN高温alarm一直在报",
        "网管server登录不上，GUI打不开",
        "fibre专线时断时续",
        "upgrade以后KPI报表缺数据",
        "传输ring单边中断",
        "5G drop call rate突然升高",
        "机房power module告警",
        "政企leased line丢包严重",
        "HLR sync失败",
        "IPTV卡顿，end users反映很多",
        "cut-over后VoLTE呼叫失败",
        "基站GPS lost lock",
        "signalling storm导致CPU很高",
    ],
}

CALM = {
    "zh": [
        "麻烦帮忙看一下。",
        "请安排工程师处理，谢谢。",
        "不影响主要业务，方便时处理即可。",
        "请评估一下原因。",
        "辛苦了，有结果告诉我们。",
        "我们这边可以配合远程登录。",
        "请给一个处理计划。",
        "附件是告警截图。",
        "请帮忙确认是否需要现场。",
        "今天之内有个初步结论就行。",
    ],
    "en": [
        "Could you take a look when you can?",
        "Please have an engineer check it, thanks.",
        "It does not affect the main services yet.",
        "Please let us know the likely cause.",
        "Thanks in advance, keep us posted.",
        "We can give you remote access if needed.",
        "Please send us a plan.",
        "Screenshots of the alarms are attached.",
        "Let us know whether a site visit is needed.",
        "A first assessment today would be fine.",
    ],
    "mixed": [
        "麻烦帮忙check一下。",
        "请安排engineer处理，thanks。",
        "暂时不影响主要service。",
        "请评估一下root cause。",
        "辛苦了，有update告诉我们。",
        "我们可以配合remote登录。",
        "请给一个action plan。",
        "alarm截图在附件。",
        "请确认是否需要onsite。",
        "今天有个初步conclusion就行。",
    ],
}

URGENT = {
    "zh": [
        "非常着急，请马上处理！",
        "影响很大，请立即安排人。",
        "等不了了，赶紧派人来。",
        "十万火急，领导在盯着。",
        "请尽快恢复，用户在等。",
        "这个很紧急，今晚必须解决。",
    ],
    "en": [
        "This is urgent, please act immediately!",
        "We need someone on it right now.",
        "We cannot wait until tomorrow.",
        "It is an emergency, our management is watching.",
        "Please restore it as soon as possible.",
        "This is extremely urgent.",
    ],
    "mixed": [
        "非常urgent，请马上处理！",
        "impact很大，请立即安排人。",
        "等不了了，ASAP派人来。",
        "emergency，领导在盯着。",
        "请尽快restore，用户在等。",
        "这个很urgent，今晚必须解决。",
    ],
}

ANGRY = {
    "zh": [
        "你们到底有没有人在管？太不像话了！",
        "我们非常生气，打了三个电话都被推来推去。",
        "你们这是在敷衍我们。",
        "已经受够了，每次都是这样。",
        "什么态度，问个进展都没人回。",
        "你们的服务太差了，实在失望。",
        "简直是开玩笑，拖了一整天。",
        "我们很恼火，说好的回电一直没有。",
        "你们踢皮球踢得真熟练。",
    ],
    "en": [
        "Is anyone actually handling this? This is unacceptable!",
        "We are very angry, we were passed from one person to the next.",
        "You are fobbing us off.",
        "We are fed up, it is the same every time.",
        "Nobody even answers when we ask for progress.",
        "Your service is terrible and we are deeply disappointed.",
        "This is a joke, it has dragged on all day.",
        "We are furious that the promised call-back never came.",
        "You keep passing the buck.",
    ],
    "mixed": [
        "你们到底有没有owner？太不像话了！",
        "我们非常angry，打了三个电话都被推来推去。",
        "你们这是在敷衍，not good enough。",
        "已经fed up了，每次都是这样。",
        "什么态度，问个update都没人回。",
        "your service太差了，实在失望。",
        "简直是a joke，拖了一整天。",
        "我们很恼火，说好的call back一直没有。",
        "你们一直pass the buck。",
    ],
}

DISTRUST = {
    "zh": [
        "问了三次得到三个说法，到底哪个是真的？",
        "上个月刚处理过，又出现了。",
        "你们的承诺我们已经不相信了。",
        "一直没有下文，白等了一天。",
        "工程师手机关机，根本找不到人。",
        "这已经是第三次了。",
        "说好今天给结论，还是没有。",
    ],
    "en": [
        "We got three different answers, which one is true?",
        "You fixed this last month and it is back again.",
        "We no longer trust your promises.",
        "We heard nothing all day.",
        "The engineer's phone is off and we cannot reach anyone.",
        "This is the third time.",
        "You promised a conclusion today and there is still no update.",
    ],
    "mixed": [
        "问了三次三个不同的answer，到底哪个是真的？",
        "上个月刚fix过，又出现了。",
        "你们的promise我们已经不相信了。",
        "一直没有update，白等了一天。",
        "engineer手机关机，根本找不到人。",
        "this is the third time了。",
        "说好今天给conclusion，still no update。",
    ],
}

THREAT = {
    "zh": [
        "再不处理我们就投诉到工信部。",
        "我已经打了12345。",
        "明天我会找你们领导。",
        "这件事我们要向上级通报。",
        "再这样我们考虑换厂家。",
        "我要投诉，给我你们领导的电话。",
        "我们会打12300反映。",
        "这种服务应该让媒体曝光一下。",
    ],
    "en": [
        "If this is not fixed today we will complain to the regulator.",
        "I am escalating this to your manager.",
        "Give me your boss's number, I want to file a complaint.",
        "We will report this to MIIT.",
        "Our management is considering another vendor.",
        "I will call your hotline and complain.",
        "We will take legal advice on the penalty clause.",
        "Maybe the press should hear about this.",
    ],
    "mixed": [
        "再不处理我们就complain到工信部。",
        "我已经打了12345 hotline。",
        "明天我会escalate给你们领导。",
        "这件事要向management通报。",
        "再这样我们考虑switch vendor。",
        "我要投诉，give me your manager's number。",
        "我们会打12300 complain。",
        "这种service应该让media曝光一下。",
    ],
}

NEGATED = {
    "zh": [
        "我们并不着急，下周处理也可以。",
        "一点都不急，按计划来就好。",
        "不是投诉，只是想了解一下进展。",
        "我们没有生气，只是想确认时间。",
        "不用太紧急，先排查原因。",
        "我不想投诉，请给一个准确时间。",
    ],
    "en": [
        "We are not angry at all, just tell us when.",
        "No hurry, next week is fine.",
        "This is not a complaint, we only want an update.",
        "We are not upset, just checking the timeline.",
        "It is not urgent, find the cause first.",
        "I don't want to complain, just give me a date.",
    ],
    "mixed": [
        "我们并不着急，next week也可以。",
        "no hurry，按plan来就好。",
        "不是complaint，只是想要个update。",
        "我们not angry，只是想确认timeline。",
        "不用太urgent，先找root cause。",
        "我不想投诉，just give me a date。",
    ],
}

THIRD_PARTY = {
    "zh": [
        "供电局又把市电停了，真是气死人。",
        "施工队挖断了光缆，我们非常愤怒。",
        "用户都在投诉我们，压力很大。",
        "物业不让进机房，太不像话了。",
        "台风把杆路吹倒了，真让人恼火。",
    ],
    "en": [
        "The power company cut the mains again, we are furious with them.",
        "A construction crew dug through the fibre, it is outrageous.",
        "Our users are complaining to us all day.",
        "The landlord will not let us into the room, ridiculous.",
        "The storm brought the poles down, very frustrating.",
    ],
    "mixed": [
        "供电局又停电了，we are furious with them。",
        "施工队挖断了fibre，非常愤怒。",
        "end users都在投诉我们，压力很大。",
        "物业不让进机房，ridiculous。",
        "typhoon把杆路吹倒了，真让人恼火。",
    ],
}

CHASE = {
    "zh": [
        "有人在处理吗？",
        "请问现在进展如何？",
        "还没有人联系我们。",
        "又过去一个小时了。",
        "麻烦回个电话。",
        "怎么还没人回复？",
    ],
    "en": [
        "Is anyone working on this?",
        "What is the status now?",
        "Nobody has contacted us yet.",
        "Another hour has passed.",
        "Please call us back.",
        "Why has nobody replied?",
    ],
    "mixed": [
        "有人在handle吗？",
        "现在status如何？",
        "还没有人contact我们。",
        "又过去one hour了。",
        "麻烦call back一下。",
        "怎么还没人reply？",
    ],
}

THANKS = {
    "zh": ["好的，谢谢。", "已恢复，辛苦了。", "收到，感谢支持。", "没问题，谢谢你们。"],
    "en": ["OK, thanks.", "It is back, thank you.", "Received, appreciate it.", "Great, thanks."],
    "mixed": ["OK，谢谢。", "已恢复，thanks。", "收到，appreciate。", "没问题，thank you。"],
}

WRONG_STAKEHOLDER = {
    "zh": [
        "处理结果只告诉了省公司，我们分公司完全不知道。",
        "我们提的需求，为什么结果发给了别人？",
        "省里知道了，我们这边没有任何人通知。",
    ],
    "en": [
        "You told the province office and nobody told us, the branch that asked.",
        "We raised it, why did the result go to someone else?",
        "The province heard, we were never informed.",
    ],
    "mixed": [
        "result只告诉了省公司，我们branch完全不知道。",
        "我们提的request，为什么结果发给了别人？",
        "province知道了，我们这边nobody通知。",
    ],
}

STAFF = {
    "zh": [
        "已收到，正在远程登录排查。",
        "已定位到板卡故障，备件今晚到。",
        "抱歉久等，已安排工程师现场处理。",
        "已恢复，请确认业务是否正常。",
        "初步判断为光路问题，正在协调。",
    ],
    "en": [
        "Received, we are logging in remotely now.",
        "We found a faulty board; the spare arrives tonight.",
        "Sorry for the wait, an engineer is on the way.",
        "Service is restored, please confirm it works.",
        "It looks like an optical path issue; we are coordinating.",
    ],
    "mixed": [
        "已收到，正在remote排查。",
        "已定位到board故障，spare今晚到。",
        "sorry久等，已安排engineer onsite。",
        "已restore，请确认service正常。",
        "初步判断是optical path问题。",
    ],
}
