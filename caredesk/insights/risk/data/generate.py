"""Compose the labelled evaluation sets: data/tune.jsonl (weights and threshold are chosen on
it) and data/test.jsonl (never tuned on). Run from the repository root:

    python caredesk/insights/risk/data/generate.py

Each history follows one of a dozen behaviours — calm text with bad handling, angry text with
good handling, negated anger, anger at a third party, slow burns over days, complaints within
minutes, recoveries — in Chinese, English or a mix, its sentences drawn from the hand-written
fragments beside this file. Whether a complaint follows is drawn from the behaviour's odds
(not from the scorer), with some noise both ways, so no rule is right every time.
"""

import datetime as dt
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fragments as F  # noqa: E402

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
LANGS = ["zh"] * 5 + ["en"] * 3 + ["mixed"] * 2


class Story:
    def __init__(self, rng: random.Random, lang: str, pool: str):
        self.rng, self.lang, self.pool = rng, lang, pool
        day = dt.datetime(2026, 6, 1, tzinfo=SHANGHAI) + dt.timedelta(days=rng.randrange(150))
        self.t = day.replace(hour=rng.randrange(7, 20), minute=rng.randrange(60))
        self.opened = self.t
        self.events: list[dict] = []

    def say(self, table: dict) -> str:
        items = table[self.lang]
        if self.pool == "tune":
            items = items[: max(1, len(items) * 2 // 3)]
        return self.rng.choice(items)

    def wait(self, lo: float, hi: float) -> None:
        self.t += dt.timedelta(minutes=self.rng.uniform(lo, hi))

    def add(self, kind: str, **fields) -> None:
        self.events.append({"at": self.t.isoformat(timespec="minutes"), "kind": kind, **fields})

    def customer(self, *tables, channel=None) -> None:
        parts = [self.say(t) for t in tables]
        sep = "" if self.lang != "en" else " "
        text = sep.join(parts)
        self.add(
            "customer_message",
            channel=channel or self.rng.choice(["phone", "portal", "email", "im"]),
            text=text,
        )

    def opening(self, *tables) -> None:
        problem = self.say(F.PROBLEM)
        sep = "，" if self.lang != "en" else ", "
        rest = (
            "".join(self.say(t) for t in tables)
            if self.lang != "en"
            else " ".join(self.say(t) for t in tables)
        )
        text = problem + (sep if tables else "") + rest
        if self.lang == "en":
            text = text[0].upper() + text[1:]
        self.add(
            "customer_message", channel=self.rng.choice(["phone", "portal", "email"]), text=text
        )

    def staff(self, public=True) -> None:
        self.add("staff_reply", public=public, text=self.say(F.STAFF))

    def call(self, outcome="answered", direction="outbound") -> None:
        self.add("call", direction=direction, outcome=outcome)

    # behaviours --------------------------------------------------------------------

    def good_handling(self, resolve=True) -> None:
        self.wait(2, 15)
        self.add("acknowledged")
        self.wait(3, 25)
        self.call("answered")
        self.wait(10, 90)
        self.staff()
        if resolve:
            self.wait(30, 300)
            self.add("resolved")

    def buck_passing(self) -> None:
        self.wait(3, 20)
        self.add("acknowledged")
        for _ in range(self.rng.choice([2, 2, 3])):
            self.wait(5, 15)
            self.add("handoff_proposed")
            self.wait(1, 8)
            self.add(self.rng.choice(["handoff_accepted", "handoff_accepted", "handoff_declined"]))

    def unreachable(self) -> None:
        for _ in range(self.rng.choice([1, 2, 3])):
            self.wait(5, 30)
            self.call(self.rng.choice(["no_answer", "busy", "phone_off", "voicemail"]))

    def chasing(self, n: int, sharp_tables=()) -> None:
        for i in range(n):
            self.wait(20, 90)
            tables = [F.CHASE] + ([sharp_tables[i]] if i < len(sharp_tables) else [])
            self.customer(*tables, channel=self.rng.choice(["phone", "portal"]))
            if self.rng.random() < 0.3:
                self.call("answered", "inbound")

    def breach(self, clock="acknowledge", escalate=True) -> None:
        self.wait(10, 60)
        self.add("clock_breached", clock=clock)
        if escalate:
            self.wait(1, 10)
            self.add("escalated", level=self.rng.choice([1, 1, 2]))


def _customer(rng, risky: bool) -> dict:
    return {
        "org_level": rng.choice(["city"] * 3 + ["province"]),
        "prior_complaints": rng.choice([0] * 6 + [1] * (3 if risky else 1) + [2]),
        "low_survey_scores": rng.choice([0] * 6 + [1, 2]),
    }


def _after_complaint(s: Story) -> None:
    """What happens once the customer called the hotline (the replay must ignore it)."""
    s.wait(5, 40)
    s.call("answered")
    s.wait(20, 120)
    s.staff()
    if s.rng.random() < 0.6:
        s.wait(30, 200)
        s.add("resolved")


# Each behaviour builds the events and returns the odds that a complaint follows, and when.
def calm_good(s):
    s.opening(F.CALM)
    s.good_handling()
    if s.rng.random() < 0.5:
        s.wait(10, 120)
        s.customer(F.THANKS)
    return 0.04


def angry_good(s):
    s.opening(s.rng.choice([F.ANGRY, F.URGENT, F.DISTRUST]))
    s.wait(1, 6)
    s.add("acknowledged")
    s.wait(2, 10)
    s.call("answered")
    s.wait(10, 60)
    s.staff()
    s.wait(30, 180)
    s.add("resolved")
    if s.rng.random() < 0.6:
        s.wait(5, 60)
        s.customer(F.THANKS)
    return 0.15


def calm_bad(s):
    s.opening(F.CALM)
    s.rng.choice([s.buck_passing, s.unreachable])()
    if s.rng.random() < 0.6:
        s.chasing(s.rng.choice([1, 2, 3]))
    if s.rng.random() < 0.5:
        s.breach(s.rng.choice(["acknowledge", "respond"]))
    return 0.7


def buck_passed(s):  # seed case 1
    s.opening(s.rng.choice([F.CALM, F.URGENT]))
    s.buck_passing()
    s.wait(3, 20)
    s.customer(F.ANGRY, channel="phone")
    return 0.85


def phone_off(s):  # seed case 2
    s.severity = "P1"
    s.opening(F.URGENT)
    s.unreachable()
    s.wait(2, 10)
    s.customer(F.DISTRUST, F.URGENT, channel="phone")
    return 0.8


def negated(s):
    s.opening(F.NEGATED)
    s.good_handling(resolve=s.rng.random() < 0.7)
    if s.rng.random() < 0.4:
        s.wait(60, 400)
        s.customer(F.NEGATED)
    return 0.06


def third_party(s):
    s.opening(F.THIRD_PARTY)
    s.good_handling()
    if s.rng.random() < 0.3:
        s.wait(30, 200)
        s.customer(F.THIRD_PARTY)
    return 0.1


def slow_burn(s):  # seed cases 3 and 6: days of it
    s.opening(F.CALM)
    s.wait(10, 60)
    s.add("acknowledged")
    s.wait(60, 300)
    s.add("conclusion_changed", text="first analysis")
    steps = s.rng.sample(["conclusion", "visit", "reopen", "silence"], k=s.rng.choice([2, 3]))
    tone = [F.CHASE, F.DISTRUST, F.ANGRY, F.THREAT]
    for i, step in enumerate(steps):
        s.wait(300, 1500)
        if step == "conclusion":
            s.add("conclusion_changed", text="changed answer")
        elif step == "visit":
            s.add("site_visit_left", resolved=False)
        elif step == "reopen":
            s.add("resolved")
            s.wait(120, 900)
        s.wait(30, 300)
        s.customer(tone[min(i + s.rng.choice([0, 1]), 3)])
    return 0.75


def fast(s):  # a complaint minutes after the first call
    s.severity = s.rng.choice(["P1", "P1", "P2"])
    s.opening(s.rng.choice([F.THREAT, F.ANGRY]), F.URGENT)
    if s.rng.random() < 0.5:
        s.wait(1, 4)
        s.add("acknowledged")
    return 0.85


def wrong_stakeholder(s):  # seed case 4
    s.opening(F.CALM)
    s.good_handling()
    s.wait(60, 600)
    s.customer(F.WRONG_STAKEHOLDER, s.rng.choice([F.ANGRY, F.CALM, F.DISTRUST]))
    return 0.65


def recovered(s):
    s.opening(F.CALM)
    s.rng.choice([s.buck_passing, s.unreachable])()
    s.wait(5, 30)
    s.customer(F.CHASE)
    s.wait(2, 15)
    s.call("answered")
    s.wait(5, 40)
    s.staff()
    s.wait(30, 200)
    s.add("resolved")
    s.wait(5, 60)
    s.customer(F.THANKS)
    return 0.2


def silent_wait(s):  # nobody answers at all; the text stays polite
    s.opening(F.CALM)
    s.chasing(s.rng.choice([2, 3, 4]), sharp_tables=[F.CALM, F.DISTRUST, F.ANGRY])
    if s.rng.random() < 0.5:
        s.breach("acknowledge", escalate=s.rng.random() < 0.5)
    return 0.6


BEHAVIOURS = [
    (calm_good, 22),
    (angry_good, 10),
    (calm_bad, 9),
    (buck_passed, 6),
    (phone_off, 5),
    (negated, 9),
    (third_party, 7),
    (slow_burn, 9),
    (fast, 5),
    (wrong_stakeholder, 5),
    (recovered, 7),
    (silent_wait, 6),
]


def one(rng: random.Random, n: int, pool: str) -> dict:
    lang = rng.choice(LANGS)
    s = Story(rng, lang, pool)
    s.severity = rng.choice(["P1", "P2", "P2", "P3", "P3", "P3", "P4"])
    fn = rng.choices([b for b, _ in BEHAVIOURS], weights=[w for _, w in BEHAVIOURS])[0]
    odds = fn(s)
    complaint = rng.random() < odds
    risky = odds >= 0.5
    record = {
        "id": f"{pool}-{n:04d}",
        "lang": lang,
        "severity": s.severity,
        "opened_at": s.opened.isoformat(timespec="minutes"),
        "customer": _customer(rng, risky),
        "behaviour": fn.__name__,
    }
    if complaint:
        # Fast ones call the hotline within minutes; others after the last event, sooner
        # when it was sharp.
        s.wait(2, 25) if fn is fast else s.wait(4, 150)
        record["label"] = {
            "complaint": True,
            "complained_at": s.t.isoformat(timespec="minutes"),
        }
        if rng.random() < 0.5:
            _after_complaint(s)
    else:
        record["label"] = {"complaint": False}
        if rng.random() < 0.3:
            s.wait(60, 1440)
            s.add("closed")
    record["events"] = s.events
    return record


def write(path: Path, pool: str, count: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for n in range(1, count + 1):
            fh.write(json.dumps(one(rng, n, pool), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    write(HERE / "tune.jsonl", "tune", 200, seed=14)
    write(HERE / "test.jsonl", "test", 160, seed=1414)
    print("wrote", HERE / "tune.jsonl", HERE / "test.jsonl")
