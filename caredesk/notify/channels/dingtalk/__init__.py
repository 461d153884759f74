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
from ..http import post_robot

THROTTLED = {130101: 600.0}  # DingTalk throttles the robot for ten minutes
PERMANENT = {310000, 300001, 400101}


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
    return post_robot(
        url,
        payload,
        key=out.key,
        code_field="errcode",
        message_field="errmsg",
        throttled=THROTTLED,
        permanent=PERMANENT,
    )
