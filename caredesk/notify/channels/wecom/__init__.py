"""WeCom (企业微信) group robot: POST to the robot's webhook URL (its `key` is the secret).

Answers `{"errcode": 0, "errmsg": "ok"}`; 45009 means over the robot's limit (20 a minute),
which we wait out instead of failing; 93000 means the webhook URL is no longer valid."""

from .. import Outcome, Outgoing
from ..http import post_robot

THROTTLED = {45009: 60.0}
PERMANENT = {93000, 40008}


def send(out: Outgoing, session=None) -> Outcome:
    payload = {"msgtype": "markdown", "markdown": {"content": f"**{out.subject}**\n{out.body}"}}
    return post_robot(
        out.url,
        payload,
        key=out.key,
        code_field="errcode",
        message_field="errmsg",
        throttled=THROTTLED,
        permanent=PERMANENT,
    )
