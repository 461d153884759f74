from caredesk.complaints.tests.conftest import calendars, register  # noqa: F401
