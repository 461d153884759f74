"""The hand-over tests borrow field work's factories (changes, masking changes, visits on
site) and its real Alertmanager."""

from caredesk.fieldwork.tests.conftest import (  # noqa: F401  (fixtures)
    alertmanager,
    alertmanager_url,
    make_change,
    masking_change,
    on_site,
)
