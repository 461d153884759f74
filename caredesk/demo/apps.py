from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo world (`manage.py seed_demo`) and the fixed cast tests and benchmarks start from."""

    name = "caredesk.demo"
    label = "demo"
    verbose_name = _("Demo")
