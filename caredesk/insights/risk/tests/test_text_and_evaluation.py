"""Text cues (zh, en, mixed; negation, intensity, third parties) and evaluate_risk on a small
fixture whose figures are worked out by hand."""

import json

from django.core.management import call_command

from caredesk.insights.risk.text import cues


def kinds(text):
    return {c.kind: c for c in cues(text)}


def test_negated_urgency_and_anger_give_no_cue():
    assert kinds("我们并不着急，下周处理也可以。") == {}
    assert kinds("We are not angry at all, no hurry.") == {}


def test_threat_to_the_regulator_is_found_with_its_words():
    found = kinds("再不处理我们就投诉到工信部")
    assert set(found["threat"].words) == {"投诉", "工信部"}


def test_intensity_makes_anger_stronger():
    assert kinds("我们非常生气")["anger"].strength > kinds("我们生气")["anger"].strength


def test_anger_at_a_third_party_counts_a_fifth():
    at_them = kinds("供电局把光缆挖断了，真是气死人")["anger"].strength
    at_us = kinds("你们把光缆弄断了，真是气死人")["anger"].strength
    assert at_them < at_us / 3


def test_mixed_language_message_has_cues_of_both():
    found = kinds("专线又断了, this is the third time, 我要投诉")
    assert {"又断", "third time"} <= set(found["distrust"].words)
    assert "threat" in found


def _line(id_, complaint_at, events, complaint):
    label = {"complaint": complaint}
    if complaint:
        label["complained_at"] = complaint_at
    return json.dumps(
        {
            "id": id_,
            "severity": "P4",
            "opened_at": "2026-06-07T10:00:00+08:00",
            "customer": {"org_level": "city", "prior_complaints": 0, "low_survey_scores": 0},
            "events": events,
            "label": label,
        },
        ensure_ascii=False,
    )


def test_evaluate_risk_figures_match_the_hand_computed_ones(tmp_path, capsys):
    threat = "再不处理我就投诉到工信部！！"
    msg = lambda at, text: {"at": at, "kind": "customer_message", "channel": "phone", "text": text}  # noqa: E731
    lines = [
        # alert 10:00, complaint 10:30: a true positive, 30 minutes ahead
        _line("a", "2026-06-07T10:30:00+08:00", [msg("2026-06-07T10:00:00+08:00", threat)], True),
        # the only sign comes after the complaint: a miss, max score 0 before it
        _line("b", "2026-06-07T09:59:00+08:00", [msg("2026-06-07T10:20:00+08:00", threat)], True),
        # the same threat and no complaint: a false positive
        _line("c", None, [msg("2026-06-07T10:00:00+08:00", threat)], False),
        # calm: nothing
        _line("d", None, [msg("2026-06-07T10:00:00+08:00", "请帮忙看一下")], False),
    ]
    path = tmp_path / "fixture.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    call_command("evaluate_risk", str(path), "--threshold", "25", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["tickets"] == 4
    assert out["precision"] == 0.5 and out["recall"] == 0.5 and out["f1"] == 0.5
    # pairs (pos, neg): a=c ties (½), a>d (1), b<c (0), b=d ties (½) → 2/4
    assert out["auc"] == 0.5
    assert out["median_lead_minutes"] == 30
