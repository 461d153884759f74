"""DingTalk (钉钉) custom robot: POST to its webhook URL (with `access_token`) adding
`timestamp` (milliseconds) and `sign` to the query string, where
sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))).

Answers errcode 0 when sent; 310000 when the signature, keyword or IP list refuses us (wrong
secret: retrying will not help); 130101 when over 20 a minute — DingTalk then throttles the
robot for ten minutes, so we wait that long."""

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

from .. import Outcome, Outgoing
from ..http import Unreachable, http_failure, post_json

THROTTLED = {130101}
PERMANENT = {310000, 300001, 400101}
THROTTLE_SECONDS = 600


def signed_url(url: str, secret: str, millis: int) -> str:
    if not secret:
        return url
    digest = hmac.new(secret.encode(), f"{millis}\n{secret}".encode(), hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest))
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={millis}&sign={sign}"


def send(out: Outgoing, session=None) -> Outcome:
    # The vendor checks the timestamp against its own clock: the wall clock, not caredesk.clock.
    url = signed_url(out.url, out.secret, int(time.time() * 1000))
    payload = {
        "msgtype": "markdown",
        "markdown": {"title": out.subject, "text": f"#### {out.subject}\n\n{out.body}"},
    }
    try:
        reply = post_json(url, payload, key=out.key)
    except Unreachable as exc:
        return Outcome.failed(str(exc))
    if reply.status != 200:
        detail, permanent = http_failure(reply)
        return Outcome.failed(detail, permanent=permanent)
    code = reply.body.get("errcode")
    if code == 0:
        return Outcome.sent()
    detail = f"errcode {code}: {reply.body.get('errmsg', reply.text[:200])}"
    if code in THROTTLED:
        return Outcome.throttled(detail, THROTTLE_SECONDS)
    return Outcome.failed(detail, permanent=code in PERMANENT)
