from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "caredesk.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from caredesk import loops

        from .sealing import seal_and_checkpoint

        checks.register(check_audit_key, checks.Tags.security, deploy=True)

        def seal_audit(*, worker: str, batch: int, lease) -> int:
            return seal_and_checkpoint(batch=batch)

        # Last in each pass, so the records the other loops just wrote are sealed in it too.
        loops.register("audit", seal_audit, order=90)


def check_audit_key(app_configs=None, **kwargs):
    """`check --deploy`: the chain's key must be a deployment's own, and long enough."""
    key = settings.AUDIT_KEY
    if "development-only" in key or len(key) < 32:
        return [
            checks.Warning(
                "CAREDESK_AUDIT_KEY is the development key or shorter than 32 characters: "
                "anyone who knows it can rewrite the audit log undetected.",
                hint="Set CAREDESK_AUDIT_KEY to a long random value kept outside the database "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))').",
                id="audit.W001",
            )
        ]
    return []
