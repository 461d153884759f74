"""Generic HTTP webhook, also the SMS gateway: a JSON POST signed with HMAC-SHA256.

Headers: `X-CareDesk-Timestamp` (seconds) and `X-CareDesk-Signature: sha256=<hex>` over
f"{timestamp}." + body, keyed with the endpoint's secret; `Idempotency-Key` repeats the
message's key so the receiver can drop a repeat. Chinese SMS gateways send pre-approved
templates: the body names the gateway's template code (endpoint option "templates") and the
parameters, besides the rendered text.

2xx is delivered; 429 waits (Retry-After); 408 and 5xx retry; any other 4xx fails for good."""

import hashlib
import hmac
import json
import time

from .. import Outcome, Outgoing
from ..http import Unreachable, http_failure, post_raw


def signature(secret: str, timestamp: str, raw: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def send(out: Outgoing, session=None) -> Outcome:
    templates = (out.options or {}).get("templates", {})
    payload = {
        "id": out.key,
        "channel": out.channel,
        "to": out.address,
        "template": out.template,
        "sms_template": templates.get(out.template, ""),
        "params": out.context,
        "language": out.language,
        "subject": out.subject,
        "text": out.body,
    }
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {"X-CareDesk-Timestamp": timestamp}
    if out.secret:
        headers["X-CareDesk-Signature"] = signature(out.secret, timestamp, raw)
    try:
        reply = post_raw(out.url, raw, key=out.key, headers=headers)
    except Unreachable as exc:
        return Outcome.failed(str(exc))
    if 200 <= reply.status < 300:
        return Outcome.sent(f"HTTP {reply.status}")
    detail, permanent = http_failure(reply)
    if reply.status == 429:
        wait = float(reply.retry_after) if reply.retry_after.isdigit() else 60.0
        return Outcome.throttled(detail, wait)
    return Outcome.failed(detail, permanent=permanent)
