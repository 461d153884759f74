"""One spelling of a phone number for lookups: the hotline types what the caller ID shows
(`+86 138-0013-8000`, `0086 13800138000`, `(0571) 8888 1234 转 56`), the directory holds what
someone once typed; both are reduced to the same key so a call finds its contact by one
indexed equality, not by reading every phone in the directory."""

import re

# An extension follows the number: "ext. 56", "x56", "转56", "分机 56", "#56", ",56", ";56".
_EXTENSION = re.compile(r"(?:ext\.?|x|转|分机|#|,|;)\s*\d+\s*$", re.IGNORECASE)


def phone_key(raw: str) -> str:
    """The national number in digits: spaces, dashes, brackets and an extension dropped, the
    +86 / 0086 country prefix taken off (a landline then gets its trunk 0 back, so
    `+86 571 8888 1234` and `0571-8888-1234` agree). Numbers of other countries keep their
    `+` and country code. Empty when there is no digit."""
    text = _EXTENSION.sub("", (raw or "").strip()).strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        return ""
    international = text.startswith("+")
    if digits.startswith("00"):
        international, digits = True, digits[2:]
    if international:
        if not digits.startswith("86"):
            return "+" + digits
        national = digits[2:]
    elif digits.startswith("86") and len(digits) == 13 and digits[2] == "1":
        national = digits[2:]  # 86 before a mobile number, the + forgotten
    else:
        return digits
    if national and not national.startswith(("0", "1")):
        national = "0" + national
    return national
