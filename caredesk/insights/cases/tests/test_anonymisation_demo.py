"""Anonymisation over the whole demo: a case generated from every closed ticket and every
closed or withdrawn complaint names no demo person (display name, username, e-mail, phone), no
organisation and no ticket or complaint number, in any field — free text and the replay's data
included, told in either language."""

import json
import re

from django.utils.translation import override

from caredesk.complaints.models import ENDED_STATUSES, Complaint
from caredesk.conftest import _seed_data_of_migrations
from caredesk.demo.world import load_demo
from caredesk.directory.models import Organisation, Person
from caredesk.insights.cases import reporting, services
from caredesk.insights.cases.models import CaseStatus, LearningCase
from caredesk.tickets.models import Status, Ticket


def _forbidden() -> list[str]:
    words = []
    for p in Person.objects.all():
        words += [p.display_name, p.username, p.email, p.phone]
    words += list(Organisation.objects.values_list("name", flat=True))
    words += list(Ticket.objects.values_list("number", flat=True))
    words += list(Complaint.objects.values_list("number", flat=True))
    return [w for w in words if w]


def _found(word: str, text: str) -> bool:
    if word.isascii():  # "admin" is not found inside "administrator"
        return re.search(rf"(?<![\w.@-]){re.escape(word)}(?![\w@-])", text) is not None
    return word in text


def test_no_demo_name_or_number_in_any_generated_case(db):
    _seed_data_of_migrations()  # the taxonomy, if a transactional test before flushed it
    load_demo()
    assert LearningCase.objects.filter(status=CaseStatus.PUBLISHED).count() == 2
    manager = Person.objects.get(username="manager.a")
    admin = Person.objects.get(username="admin")
    for complaint in Complaint.objects.filter(status__in=ENDED_STATUSES):
        if not LearningCase.objects.filter(complaint=complaint).exists():
            services.generate_case(actor=manager, complaint=complaint)
    for ticket in Ticket.objects.filter(status=Status.CLOSED):
        services.generate_case(
            actor=admin if ticket.office.name != "江南代表处" else manager, ticket=ticket
        )
    cases = list(LearningCase.objects.all())
    assert len(cases) >= 3
    forbidden = _forbidden()
    assert "王立" in forbidden and "江南省电信湖滨分公司" in forbidden
    for case in cases:
        texts = [
            case.title,
            case.customer_voice,
            case.analysis,
            case.lessons,
            json.dumps(case.actions, ensure_ascii=False),
            json.dumps(case.replay, ensure_ascii=False),
        ]
        for language in ("zh-hans", "en"):
            with override(language):
                texts.append(
                    json.dumps(
                        reporting.case_for_report(case, language=language), ensure_ascii=False
                    )
                )
        text = "\n".join(texts)
        leaks = [w for w in forbidden if _found(w, text)]
        assert leaks == [], (case.title, leaks)
    # the story is still there: roles with letters in the replay
    buck = LearningCase.objects.get(complaint__category__code="buck_passing")
    told = reporting.case_for_report(buck, language="zh-hans")
    assert any(r["actor"].startswith("服务经理") for r in told["event_replay"])
    assert "转交" in json.dumps(told, ensure_ascii=False)
