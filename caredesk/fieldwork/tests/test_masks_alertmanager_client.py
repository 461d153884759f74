"""The Alertmanager client against a real Alertmanager: a silence made, listed and expired,
and every failure an outcome, never an exception."""

import datetime as dt

from caredesk.fieldwork.masks.alertmanager import Client

MATCHERS = [{"name": "ne", "value": "OTN-07", "isRegex": False, "isEqual": True}]


def _live(client, silence_id):
    found = {s["id"]: s for s in client.list_silences().silences}
    return found[silence_id]["status"]["state"]


def test_silence_created_listed_and_expired(alertmanager):
    now = dt.datetime.now(dt.UTC)
    made = alertmanager.create_silence(
        matchers=MATCHERS,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=2),
        created_by="engineer.b",
        comment="CHG-000001 MSK-000001",
    )
    assert made.ok and made.silence_id
    assert _live(alertmanager, made.silence_id) == "active"
    assert alertmanager.expire_silence(made.silence_id).ok
    assert _live(alertmanager, made.silence_id) == "expired"
    # Expiring it again, or an id Alertmanager never made, leaves nothing to do: done.
    assert alertmanager.expire_silence(made.silence_id).ok


def test_refused_silence_is_a_permanent_outcome(alertmanager):
    now = dt.datetime.now(dt.UTC)
    refused = alertmanager.create_silence(
        matchers=[], starts_at=now, ends_at=now + dt.timedelta(hours=1), created_by="x", comment=""
    )
    assert not refused.ok and refused.permanent
    assert "matchers" in refused.detail


def test_unreachable_alertmanager_is_an_outcome_not_an_exception():
    # A port nothing listens on (the discard port on loopback is not served here).
    down = Client("http://127.0.0.1:9", timeout=2)
    outcome = down.list_silences()
    assert not outcome.ok and not outcome.permanent and "unreachable" in outcome.detail
    assert not Client("ftp://example").list_silences().ok
