from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    name = "caredesk.runtime"
    label = "runtime"
