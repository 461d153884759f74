"""Feishu / Lark (飞书) custom bot: POST to …/open-apis/bot/v2/hook/ID with `timestamp`
(seconds) and `sign` in the JSON body, where
sign = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b"")) — key and message the other
way round from DingTalk.

Answers `{"code": 0}` when sent; 19021 for a bad signature or a timestamp more than an hour
off, 19022 for an IP not allowed, 19024 for a missing keyword (none fix themselves); 11232
when throttled (100 a minute, 5 a second per bot)."""

import base64
import hashlib
import hmac
import time

from .. import Outcome, Outgoing
from ..http import Unreachable, http_failure, post_json

THROTTLED = {11232, 9499}
PERMANENT = {19021, 19022, 19024, 19001}


def sign(secret: str, seconds: int) -> str:
    digest = hmac.new(f"{seconds}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def send(out: Outgoing, session=None) -> Outcome:
    locale = "en_us" if out.language == "en" else "zh_cn"
    lines = [[{"tag": "text", "text": line}] for line in out.body.splitlines() if line.strip()]
    payload: dict = {
        "msg_type": "post",
        "content": {"post": {locale: {"title": out.subject, "content": lines}}},
    }
    if out.secret:
        seconds = int(time.time())  # checked against Feishu's clock: the wall clock
        payload = {"timestamp": str(seconds), "sign": sign(out.secret, seconds), **payload}
    try:
        reply = post_json(out.url, payload, key=out.key)
    except Unreachable as exc:
        return Outcome.failed(str(exc))
    if reply.status != 200 and "code" not in reply.body:
        detail, permanent = http_failure(reply)
        return Outcome.failed(detail, permanent=permanent)
    code = reply.body.get("code", reply.body.get("StatusCode"))
    if code == 0:
        return Outcome.sent()
    detail = f"code {code}: {reply.body.get('msg', reply.text[:200])}"
    if code in THROTTLED:
        return Outcome.throttled(detail, 60)
    return Outcome.failed(detail, permanent=code in PERMANENT)
