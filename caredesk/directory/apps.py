from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "caredesk.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self):
        from . import models, refdata, signin_audit

        signin_audit.register()

        refdata.watch(
            models.Organisation,
            models.Product,
            models.Region,
            models.Responsibility,
            models.RoleAssignment,
        )
        # Deleting a person or a team clears regions' and matrix cells' references in SQL.
        refdata.watch(models.Person, models.Team, deletes_only=True)
