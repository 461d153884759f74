from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    name = "caredesk.runtime"
    label = "runtime"

    def ready(self):
        # Imports from the admin page: after the timers (10), the outbox (20) and the masks'
        # loops (30, 40), before the audit sealer (90) seals what an import wrote.
        from caredesk import loops

        from .import_runs import work_imports

        loops.register("imports", work_imports, order=50)
