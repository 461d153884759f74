# handover: the demo's Alertmanager tests use fieldwork's real Alertmanager fixtures.
from caredesk.fieldwork.tests.conftest import alertmanager, alertmanager_url  # noqa: F401
