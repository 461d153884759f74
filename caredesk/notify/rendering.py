"""Message text in the recipient's language, from plain-text templates kept per language:
templates/notify/<name>.<language>.txt in any app. The first line is the subject.

Templates are rendered without HTML escaping (the text goes to mail and IM, not a page)."""

from django.template import Context, Engine, TemplateDoesNotExist
from django.utils import translation
from django.utils.translation import gettext

from caredesk.stakeholders.models import ContactChannel

FALLBACK_LANGUAGES = ("zh-hans", "en")
_engine = Engine(app_dirs=True, autoescape=False)


def render(template: str, language: str, context: dict) -> tuple[str, str]:
    """(subject, body). Falls back to zh-Hans, then English, when a language is missing."""
    for lang in (language, *FALLBACK_LANGUAGES):
        try:
            tpl = _engine.get_template(f"notify/{template}.{lang}.txt")
        except TemplateDoesNotExist:
            continue
        with translation.override(lang):
            text = tpl.render(Context(context))
        subject, _, body = text.strip().partition("\n")
        return subject.strip(), body.strip()
    raise TemplateDoesNotExist(f"notify/{template}.*.txt")


def channel_label(code: str) -> str:
    return str(ContactChannel(code).label) if code in ContactChannel.values else code


def via(channel: str, requested: str, missing: str, language: str) -> str:
    """How a message goes, in the reader's language: "Email", or after a fallback
    "WeCom group not configured → Email"."""
    if requested and requested != channel:
        return fallback_note(requested, channel, missing, language)
    with translation.override(language):
        return channel_label(channel)


def fallback_note(requested: str, channel: str, missing: str, language: str) -> str:
    """One line saying a message took another channel than the one(s) asked for, and why —
    in the reader's language (shown on the timeline and added to the message itself).
    `requested` and `missing` may list several, comma-separated, in step."""
    asked = requested.split(",")
    why = missing.split(",")
    with translation.override(language):
        sep = "、" if language == "zh-hans" else ", "
        values = {
            "asked": sep.join(channel_label(c) for c in asked),
            "used": channel_label(channel),
        }
        if why and all(w == "phone" for w in why):
            return gettext("%(asked)s: no phone number → %(used)s") % values
        return gettext("%(asked)s not configured → %(used)s") % values
