"""Local stand-ins for the vendors' receivers, for tests and the benchmark.

`Receiver` is an HTTP server on 127.0.0.1 that checks requests the way each vendor documents
it — WeCom's key, DingTalk's query-string signature, Feishu's body signature, our webhook's
HMAC header — and answers with the vendor's own error codes. It counts deliveries by
idempotency key (`delivered`: every accepted request; `effects`: what a consumer that drops
repeats acts on), records when each request
came by caredesk.clock, and can be switched off and on again on the same port.

Signatures are checked with code written here from the vendors' descriptions, not with the
adapters' own functions, so a wrong adapter cannot agree with itself.
"""

import base64
import collections
import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from caredesk import clock

WECOM_KEY = "wecom-key-1"
DINGTALK_TOKEN = "ding-token-1"
FEISHU_HOOK = "feishu-hook-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    def __init__(self, *, secret: str = "s3cret", port: int | None = None):
        self.secret = secret
        self.port = port or free_port()
        self.requests: list[dict] = []  # every request: path, key, body, at, answer
        self.delivered: collections.Counter = collections.Counter()  # key -> times accepted
        # What an idempotent consumer acts on: a key's first accepted request, never a repeat.
        self.effects: collections.Counter = collections.Counter()
        self.fail_next = 0  # answer this many requests with HTTP 500
        self.wecom_limit: int | None = None  # answer 45009 past this many a minute
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, answer = receiver.handle(self.path, self.headers, raw)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def wecom_url(self) -> str:
        return self.url(f"/cgi-bin/webhook/send?key={WECOM_KEY}")

    @property
    def dingtalk_url(self) -> str:
        return self.url(f"/robot/send?access_token={DINGTALK_TOKEN}")

    @property
    def feishu_url(self) -> str:
        return self.url(f"/open-apis/bot/v2/hook/{FEISHU_HOOK}")

    @property
    def webhook_url(self) -> str:
        return self.url("/sms/send")

    # ------------------------------------------------------------ checking

    def handle(self, path: str, headers, raw: bytes) -> tuple[int, dict]:
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        key = headers.get("Idempotency-Key", "")  # headers: case-insensitive
        with self._lock:
            entry = {"path": parts.path, "key": key, "at": clock.now(), "raw": raw}
            entry["body"] = json.loads(raw or b"{}")
            if self.fail_next > 0:
                self.fail_next -= 1
                status, answer = 500, {"error": "injected failure"}
            elif parts.path == "/cgi-bin/webhook/send":
                status, answer = 200, self._wecom(query)
            elif parts.path == "/robot/send":
                status, answer = 200, self._dingtalk(query)
            elif parts.path.startswith("/open-apis/bot/v2/hook/"):
                status, answer = 200, self._feishu(parts.path, entry["body"])
            elif parts.path == "/sms/send":
                status, answer = self._webhook(headers, raw)
            else:
                status, answer = 404, {"error": "no such path"}
            entry["status"], entry["answer"] = status, answer
            accepted = status == 200 and answer.get("errcode", answer.get("code", 0)) == 0
            entry["accepted"] = accepted
            if accepted:
                self.delivered[key] += 1
                self.effects[key] = 1
            self.requests.append(entry)
        return status, answer

    def _wecom(self, query: dict) -> dict:
        if query.get("key") != WECOM_KEY:
            return {"errcode": 93000, "errmsg": "invalid webhook url"}
        if self.wecom_limit is not None:
            window = [r for r in self.requests if r["path"] == "/cgi-bin/webhook/send"]
            recent = [r for r in window if (clock.now() - r["at"]).total_seconds() < 60]
            if len([r for r in recent if r.get("accepted")]) >= self.wecom_limit:
                return {"errcode": 45009, "errmsg": "api freq out of limit"}
        return {"errcode": 0, "errmsg": "ok"}

    def _dingtalk(self, query: dict) -> dict:
        if query.get("access_token") != DINGTALK_TOKEN:
            return {"errcode": 300001, "errmsg": "token is not exist"}
        stamp, sign = query.get("timestamp", ""), query.get("sign", "")
        expected = base64.b64encode(
            hmac.new(
                self.secret.encode(), f"{stamp}\n{self.secret}".encode(), hashlib.sha256
            ).digest()
        ).decode()
        fresh = stamp.isdigit() and abs(time.time() * 1000 - int(stamp)) < 3600 * 1000
        if not (fresh and hmac.compare_digest(sign, expected)):
            return {"errcode": 310000, "errmsg": "sign not match"}
        return {"errcode": 0, "errmsg": "ok"}

    def _feishu(self, path: str, body: dict) -> dict:
        if not path.endswith(FEISHU_HOOK):
            return {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"}
        stamp, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
        key = f"{stamp}\n{self.secret}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        fresh = stamp.isdigit() and abs(time.time() - int(stamp)) < 3600
        if not (fresh and hmac.compare_digest(sign, expected)):
            return {
                "code": 19021,
                "msg": "sign match fail or timestamp is not within one hour from current time",
                "data": {},
            }
        return {"code": 0, "msg": "success", "data": {}}

    def _webhook(self, headers, raw: bytes) -> tuple[int, dict]:
        stamp = headers.get("X-CareDesk-Timestamp", "")
        mac = hmac.new(self.secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256)
        given = headers.get("X-CareDesk-Signature", "")
        if not hmac.compare_digest(given, "sha256=" + mac.hexdigest()):
            return 401, {"error": "bad signature"}
        return 200, {"ok": True}

    # ------------------------------------------------------------ reading

    def accepted(self, path_prefix: str = "") -> list[dict]:
        return [r for r in self.requests if r["accepted"] and r["path"].startswith(path_prefix)]
