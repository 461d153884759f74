"""A survey's link token: signed, stored only as a hash, checked in constant time.

The token is 32 random bytes signed with the installation's secret key (Django's Signer, with
a salt of its own). A tampered token fails the signature before the database is asked; a
well-signed one is looked up by its SHA-256, the only form the database keeps — so the database
holds no link a reader of it could use. Expiry and single use are the survey's own columns
(read against the clock every service reads), not the signature's.

Token-bearing paths are kept out of the logs by RedactSurveyTokens (settings.LOGGING).
"""

import hashlib
import logging
import re
import secrets

from django.core import signing

SALT = "caredesk.satisfaction.survey-link"
_signer = signing.Signer(salt=SALT)


def new_token() -> str:
    return _signer.sign(secrets.token_urlsafe(32))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_signed(token: str) -> bool:
    """Whether the token is one this installation signed (not tampered with, not made up)."""
    try:
        _signer.unsign(token)
    except (signing.BadSignature, ValueError):
        return False
    return True


# The paths that carry a token: the public page and the API operation.
_TOKEN_PATH = re.compile(r"(/(?:s|api/v1/surveys)/)[^/\s?\"']{8,}")


def redact(text: str) -> str:
    return _TOKEN_PATH.sub(r"\1[survey-link]", text)


class RedactSurveyTokens(logging.Filter):
    """Replaces the token in any logged survey path (runserver's request lines, Django's
    "Not Found: /s/…" warnings), so a log reader cannot answer someone's survey."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        elif isinstance(record.msg, dict):  # a structlog line: its fields (path, event…)
            record.msg = {k: _clean(v) for k, v in record.msg.items()}
        if isinstance(record.args, dict):
            record.args = {k: _clean(v) for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)
        return True


def _clean(value):
    return redact(value) if isinstance(value, str) else value
