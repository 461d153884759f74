import pytest

# The `at` fixture and its T0 (a Tuesday morning in Shanghai) are the root conftest's.
from caredesk.conftest import T0  # noqa: E402, F401
from caredesk.escalation import demo


@pytest.fixture
def chains(cast):
    """The demo's calendars, SLA policies, escalation chains and rotations."""
    demo.setup(cast.world)
    return cast
