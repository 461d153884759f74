import pytest

from caredesk.complaints import services
from caredesk.complaints.models import Category
from caredesk.demo import complaints as complaints_demo
from caredesk.escalation import demo as escalation_demo


@pytest.fixture
def calendars(cast):
    """The demo's calendars, SLA policies and chains, and the complaint escalation chain."""
    escalation_demo.setup(cast.world)
    complaints_demo.escalation_chain()


@pytest.fixture
def register(cast, open_request, calendars, at):
    """A factory: hotline.h registers a complaint about customer.y's request (core × Lakeside,
    owned by engineer.b; its service manager is manager.a) at T0 unless the clock is moved."""
    at(0, fire=False)

    def make(ticket=None, actor=None, severity="medium", **extra):
        values = {
            "actor": actor or cast.h,
            "source": "hotline",
            "tickets": [ticket or open_request()],
            "complainant": cast.y,
            "words": "工程师之间互相推诿，打了三个电话都没人管。",
            "remedy_sought": "尽快派人解决并说明责任人。",
            "severity": severity,
            "impact": "branch",
            "category": Category.objects.get(code="buck_passing"),
        }
        values.update(extra)
        return services.open_complaint(**values)

    return make
