"""The risk tests borrow the complaints' factory (a hotline complaint on a ticket) and field
work's visit on site."""

from caredesk.complaints.tests.conftest import calendars, register  # noqa: F401  (fixtures)
from caredesk.fieldwork.tests.conftest import on_site  # noqa: F401  (fixtures)
