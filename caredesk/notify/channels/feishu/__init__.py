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
from ..http import post_robot

THROTTLED = {11232: 60.0, 9499: 60.0}
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
    return post_robot(
        out.url,
        payload,
        key=out.key,
        code_field="code",
        message_field="msg",
        throttled=THROTTLED,
        permanent=PERMANENT,
    )
