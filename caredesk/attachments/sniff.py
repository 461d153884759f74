"""What a file is, from its first bytes: a small sniffer of our own for the few types an
allow-list names (no dependency, and it says exactly why a file is refused).

Markup is never "text": a file whose start looks like HTML, SVG or XML is reported as
"html", so no allow-list can let it through as plain text.
"""

HEAD_BYTES = 512

# (kind, content type, test on the head)
_MAGIC = (
    ("png", "image/png", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    ("jpeg", "image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ("gif", "image/gif", lambda h: h[:6] in (b"GIF87a", b"GIF89a")),
    ("webp", "image/webp", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
    ("pdf", "application/pdf", lambda h: h.startswith(b"%PDF-")),
    ("zip", "application/zip", lambda h: h[:4] in (b"PK\x03\x04", b"PK\x05\x06")),
)
_MARKUP = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe")


def sniff(head: bytes) -> tuple[str, str]:
    """(kind, content type) of a file starting with `head`; ("unknown", …) when none fits."""
    for kind, content_type, test in _MAGIC:
        if test(head):
            return kind, content_type
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if any(lowered.startswith(tag) for tag in _MARKUP) or b"<script" in head.lower():
        return "html", "text/html"
    if _is_text(head):
        return "text", "text/plain; charset=utf-8"
    return "unknown", "application/octet-stream"


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            # a multi-byte character cut by the head's end is still text
            if exc.start >= len(head) - 3:
                return True
    return False
