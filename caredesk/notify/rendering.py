"""Message text in the recipient's language, from plain-text templates kept per language:
templates/notify/<name>.<language>.txt in any app. The first line is the subject.

Templates are rendered without HTML escaping (the text goes to mail and IM, not a page)."""

from django.template import Context, Engine, TemplateDoesNotExist
from django.utils import translation

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
