"""Reading a raw mail: sender, subject, thread ids, the new text (quoted history cut off) and
attachments. Pure functions of the bytes; no database."""

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr

from django.utils.html import strip_tags

TICKET_TAG = re.compile(r"\[#(CD-\d{4}-\d{6})\]")
MSG_ID = re.compile(r"<[^<>\s]+>")
# Where a reply's quoted history starts, in the clients our customers use (zh and en).
QUOTE_STARTS = re.compile(
    r"^(>|On .+ wrote:\s*$|在 .+ 写道[:：]\s*$|-{3,}\s*(Original Message|原始邮件)\s*-{3,}"
    r"|发件人[:：]|From:\s)",
    re.IGNORECASE,
)


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class ParsedMail:
    message_id: str
    from_address: str
    from_name: str
    subject: str
    reply_ids: list[str]
    text: str
    automatic: bool
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def ticket_number(self) -> str | None:
        found = TICKET_TAG.search(self.subject)
        return found.group(1) if found else None


def new_text(body: str) -> str:
    """The part of a reply its author wrote: everything above the quoted history."""
    lines = []
    for line in body.replace("\r\n", "\n").split("\n"):
        if QUOTE_STARTS.match(line.strip()):
            break
        lines.append(line.rstrip())
    return "\n".join(lines).strip()


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        content = part.get_payload(decode=True).decode("utf-8", "replace")
    return strip_tags(content) if part.get_content_type() == "text/html" else content


def _is_automatic(msg: EmailMessage) -> bool:
    """Out-of-office and delivery reports must not become comments (or mail loops)."""
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(msg.get("Precedence", "")).strip().lower()
    return (
        auto != "no"
        or precedence in {"bulk", "junk", "auto_reply", "list"}
        or "X-Autoreply" in msg
        or msg.get_content_type() == "multipart/report"
    )


def parse(raw: bytes) -> ParsedMail:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    message_id = " ".join(MSG_ID.findall(str(msg.get("Message-ID", ""))))[:300]
    if not message_id:
        # No Message-ID: the content identifies the mail, so a repeat is still recognised.
        message_id = f"<sha256.{hashlib.sha256(raw).hexdigest()}@no-message-id>"
    name, address = parseaddr(str(msg.get("From", "")))
    refs = " ".join(str(msg.get(h, "")) for h in ("In-Reply-To", "References"))
    reply_ids = list(dict.fromkeys(MSG_ID.findall(refs)))
    attachments = []
    for part in msg.iter_attachments():
        content = part.get_payload(decode=True) or b""
        attachments.append(
            Attachment(
                filename=(part.get_filename() or "attachment.bin")[:255],
                content_type=part.get_content_type()[:100],
                content=content,
            )
        )
    return ParsedMail(
        message_id=message_id,
        from_address=address.strip().lower()[:300],
        from_name=name[:200],
        subject=" ".join(str(msg.get("Subject", "")).split())[:300],
        reply_ids=reply_ids,
        text=_body(msg).strip(),
        automatic=_is_automatic(msg),
        attachments=attachments,
    )
