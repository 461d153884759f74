from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "caredesk.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import start_session_clock

        # A sign-in starts the session's absolute lifetime afresh (also over an old session).
        user_logged_in.connect(start_session_clock, dispatch_uid="web-session-clock")
