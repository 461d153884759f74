"""Keeping Alertmanager in step with CareDesk's rules — the worker's two loops.

Push: a rule waiting (to_push, to_expire) is claimed like an outbox row (caredesk.claiming),
then — outside any transaction — pushed to Alertmanager as a silence (createdBy: the owner;
comment: the change's number, the rule's and its reason), or its silence expired there; the
answer is recorded in a short transaction for the rows still ours. A worker killed between
Alertmanager's answer and the record leaves the claim to expire; the retry finds the silence
it made by the rule's mark in the comment instead of making a second one.

Reconcile: on an interval, read every silence Alertmanager holds. A live one (active or
pending) that no active CareDesk rule authorised is recorded as a ForeignSilence — made there
directly, bypassing the change process (seed case 5's 200 rules would have been flagged the
same night); an active rule whose silence is no longer live there is marked missing — or,
when Alertmanager does not list it at all (its storage was lost in a restart), pushed again. A few
queries per pass, whatever the number of silences or rules.
"""

import datetime as dt
import re

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from caredesk import claiming, clock
from caredesk.audit import services as audit

from ..models import (
    SYNC_PENDING_Q,
    ForeignSilence,
    MaskingRule,
    MaskStatus,
    ReconcileRun,
    SyncState,
)
from . import alertmanager
from .alertmanager import LIVE_STATES, Client, Outcome, parse_time

MARK = "caredesk-rule:"
_MARKED = re.compile(re.escape(MARK) + r"(\d+)\b")
BACKOFF_CAP = dt.timedelta(minutes=30)


def comment_for(rule: MaskingRule) -> str:
    """The silence's comment: the change it belongs to, the rule, why — and the mark the
    retry and the reconciler recognise it by."""
    return f"{rule.change.number} {rule.number}: {rule.reason[:300]} [{MARK}{rule.pk}]"


def marked_rule(comment: str) -> int | None:
    found = _MARKED.search(comment or "")
    return int(found.group(1)) if found else None


def _backoff(attempt: int) -> dt.timedelta:
    return min(dt.timedelta(seconds=30 * 2 ** max(attempt - 1, 0)), BACKOFF_CAP)


def _adoptable(client: Client) -> dict[int, str]:
    """Live silences made by an earlier try of a push (by their mark): rule id → silence id."""
    listed = client.list_silences()
    found = {}
    for s in listed.silences:
        rule_id = marked_rule(s.get("comment", ""))
        if rule_id is not None and s.get("status", {}).get("state") in LIVE_STATES:
            found[rule_id] = s["id"]
    return found


def push_due(
    *, worker: str, batch: int = 200, lease: dt.timedelta | None = None, client=None
) -> int:
    """One pass of the push loop; how many rules it settled (pushed, expired, or failed for
    good). Does nothing when no Alertmanager is configured: the rules wait, and say so."""
    client = client or alertmanager.configured()
    if client is None:
        return 0
    now = clock.now()
    ids = claiming.claim(
        MaskingRule,
        ready=SYNC_PENDING_Q & Q(sync_due_at__lte=now),
        order_by="sync_due_at",
        worker=worker,
        now=now,
        batch=batch,
        lease=lease or dt.timedelta(minutes=2),
    )
    if not ids:
        return 0
    rules = list(
        MaskingRule.objects.filter(pk__in=ids).select_related("change", "owner").order_by("pk")
    )
    retried = [r for r in rules if r.attempt > 1 and r.sync_state == SyncState.TO_PUSH]
    adopt = _adoptable(client) if retried else {}
    outcomes: dict[int, tuple[str, Outcome]] = {}
    for rule in rules:
        if rule.sync_state == SyncState.TO_PUSH and rule.is_active:
            if rule.pk in adopt:
                outcomes[rule.pk] = ("push", Outcome(True, silence_id=adopt[rule.pk]))
                continue
            outcomes[rule.pk] = (
                "push",
                client.create_silence(
                    matchers=rule.matchers,
                    starts_at=rule.starts_at,
                    ends_at=rule.ends_at,
                    created_by=rule.owner.username,
                    comment=comment_for(rule),
                ),
            )
        elif rule.silence_id:
            outcomes[rule.pk] = ("expire", client.expire_silence(rule.silence_id))
        else:
            outcomes[rule.pk] = ("expire", Outcome(True))
    return _record(ids, worker, outcomes)


def _record(ids: list[int], worker: str, outcomes: dict[int, tuple[str, Outcome]]) -> int:
    now = clock.now()
    settled = 0
    with transaction.atomic():
        for rule in claiming.locked_claims(MaskingRule, ids, worker):
            action, outcome = outcomes[rule.pk]
            fields = {"claimed_until": None, "updated_at": now}
            if outcome.ok and action == "push":
                fields.update(silence_id=outcome.silence_id, pushed_at=now, sync_error="")
                fields["attempt"] = 0
                if rule.status == MaskStatus.ACTIVE and rule.sync_state == SyncState.TO_PUSH:
                    fields.update(sync_state=SyncState.IN_STEP, sync_due_at=None)
                else:
                    # Removed while the push was on its way: withdraw what was just made.
                    fields.update(sync_state=SyncState.TO_EXPIRE, sync_due_at=now)
                    settled -= 1
            elif outcome.ok:
                fields.update(
                    sync_state=SyncState.IN_STEP, sync_due_at=None, unpushed_at=now, attempt=0
                )
                fields["sync_error"] = ""
            elif outcome.permanent:
                fields.update(sync_state=SyncState.FAILED, sync_due_at=None)
                fields["sync_error"] = outcome.detail
            else:
                fields.update(sync_due_at=now + _backoff(rule.attempt), sync_error=outcome.detail)
                settled -= 1
            MaskingRule.objects.filter(pk=rule.pk).update(**fields)
            settled += 1
    return settled


def _live(silences: list[dict]) -> dict[str, dict]:
    return {
        str(s["id"]): s
        for s in silences
        if s.get("id") and s.get("status", {}).get("state") in LIVE_STATES
    }


def reconcile(*, client: Client | None = None) -> ReconcileRun | None:
    """Read Alertmanager's silences and record what CareDesk did not authorise, and which
    active rules lost their silence. None when no Alertmanager is configured."""
    client = client or alertmanager.configured()
    if client is None:
        return None
    now = clock.now()
    listed = client.list_silences()
    if not listed.ok:
        return ReconcileRun.objects.create(at=now, ok=False, detail=listed.detail)
    live = _live(listed.silences)
    # Authorised: the silence of an active rule, or of one whose silence is being withdrawn.
    authorised = {}
    for pk, silence_id, status, state in MaskingRule.objects.filter(
        Q(status=MaskStatus.ACTIVE) | Q(sync_state=SyncState.TO_EXPIRE)
    ).values_list("pk", "silence_id", "status", "sync_state"):
        authorised[pk] = (silence_id, status, state)
    by_silence = {sid: pk for pk, (sid, _st, _sy) in authorised.items() if sid}
    # Being pushed right now: made in Alertmanager, not recorded yet (recognised by the mark).
    in_flight = {
        pk for pk, (sid, status, state) in authorised.items() if state == SyncState.TO_PUSH
    }
    foreign = {
        sid: s
        for sid, s in live.items()
        if sid not in by_silence and marked_rule(s.get("comment", "")) not in in_flight
    }
    with transaction.atomic():
        known = dict(
            ForeignSilence.objects.filter(ended_at__isnull=True).values_list("silence_id", "pk")
        )
        ForeignSilence.objects.filter(ended_at__isnull=True).update(last_seen_at=now)
        gone = [pk for sid, pk in known.items() if sid not in foreign]
        if gone:
            ForeignSilence.objects.filter(pk__in=gone).update(ended_at=now)
        new = [
            ForeignSilence(
                silence_id=sid,
                matchers=s.get("matchers") or [],
                created_by=str(s.get("createdBy", ""))[:200],
                comment=str(s.get("comment", ""))[:2000],
                starts_at=parse_time(s.get("startsAt", "")),
                ends_at=parse_time(s.get("endsAt", "")),
                state=s["status"]["state"],
                first_seen_at=now,
                last_seen_at=now,
            )
            for sid, s in foreign.items()
            if sid not in known
        ]
        ForeignSilence.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
        if new:
            recorded = ForeignSilence.objects.filter(first_seen_at=now, ended_at__isnull=True)
            audit.record_many(
                actor=None,
                action="mask.unauthorised_silence",
                changes=[
                    (
                        f,
                        None,
                        {
                            "silence_id": f.silence_id,
                            "created_by": f.created_by,
                            "matchers": f.matchers,
                            "comment": f.comment,
                        },
                    )
                    for f in recorded
                ],
            )
        missing = [
            pk
            for pk, (sid, status, state) in authorised.items()
            if sid
            and status == MaskStatus.ACTIVE
            and state == SyncState.IN_STEP
            and sid not in live
        ]
        MaskingRule.objects.filter(pk__in=missing, silence_missing_at__isnull=True).update(
            silence_missing_at=now
        )
        repushed = _push_missing(listed.silences, authorised, missing, now)
        # Marked missing before and live again (someone made it anew): no longer missing.
        flagged = MaskingRule.objects.filter(silence_missing_at__isnull=False).values_list(
            "pk", "silence_id"
        )
        back = [pk for pk, sid in flagged if sid in live]
        if back:
            MaskingRule.objects.filter(pk__in=back).update(silence_missing_at=None)
        return ReconcileRun.objects.create(
            at=now,
            ok=True,
            silences=len(listed.silences),
            unauthorised=len(foreign),
            missing=len(missing) - repushed,
        )


def _push_missing(silences: list[dict], authorised: dict, missing: list[int], now) -> int:
    """Push missing: an active rule whose silence Alertmanager does not list at all — not
    even as expired — was lost with Alertmanager's storage (a restart without its data
    directory), not withdrawn by someone: it is queued to be pushed again. A silence listed
    as expired was ended there on purpose and stays reported as missing, for a person to
    decide. Returns how many were queued."""
    listed = {str(s.get("id")) for s in silences if s.get("id")}
    lost = [pk for pk in missing if authorised[pk][0] not in listed]
    if not lost:
        return 0
    queued = MaskingRule.objects.filter(
        pk__in=lost, status=MaskStatus.ACTIVE, ends_at__gt=now, sync_state=SyncState.IN_STEP
    ).update(
        sync_state=SyncState.TO_PUSH,
        sync_due_at=now,
        silence_missing_at=None,
        attempt=0,
        updated_at=now,
    )
    audit.record_many(
        actor=None,
        action="mask.silence_repushed",
        changes=[
            (rule, {"silence_id": rule.silence_id}, {"sync_state": SyncState.TO_PUSH})
            for rule in MaskingRule.objects.filter(pk__in=lost, sync_state=SyncState.TO_PUSH)
        ],
    )
    return queued


def reconcile_due(*, worker: str, batch: int = 0, lease=None) -> int:
    """The worker's loop: reconcile when the last pass is older than the interval. Returns 0
    (it finishes no queued row, so it never keeps the worker from sleeping)."""
    if not settings.ALERTMANAGER_URL:
        return 0
    last = ReconcileRun.objects.order_by("-at").values_list("at", flat=True).first()
    interval = dt.timedelta(seconds=settings.MASK_RECONCILE_SECONDS)
    if last is None or clock.now() - last >= interval:
        reconcile()
    return 0
