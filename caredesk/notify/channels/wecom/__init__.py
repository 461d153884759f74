"""WeCom (企业微信) group robot: POST to the robot's webhook URL (its `key` is the secret).

Answers `{"errcode": 0, "errmsg": "ok"}`; 45009 means over the robot's limit (20 a minute),
which we wait out instead of failing; 93000 means the webhook URL is no longer valid."""

from .. import Outcome, Outgoing
from ..http import Unreachable, http_failure, post_json

THROTTLED = {45009}
PERMANENT = {93000, 40008}


def send(out: Outgoing, session=None) -> Outcome:
    payload = {"msgtype": "markdown", "markdown": {"content": f"**{out.subject}**\n{out.body}"}}
    try:
        reply = post_json(out.url, payload, key=out.key)
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
        return Outcome.throttled(detail, 60)
    return Outcome.failed(detail, permanent=code in PERMANENT)
