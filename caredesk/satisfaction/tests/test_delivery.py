"""The survey reaches the requester through their own channel: by mail through a real SMTP
server, or as a link posted to their WeCom group robot when their stakeholder entry says so."""

from caredesk.notify.delivery import deliver_due
from caredesk.stakeholders import services as map_services

from .factories import link_path, sent_survey


def test_the_survey_link_is_mailed_in_the_contacts_language(cast, open_request, smtp):
    survey, token = sent_survey(open_request(), cast.y)
    assert survey.channel == "email"
    while deliver_due(worker="w1", batch=50):
        pass
    ((rcpt, mail),) = [(r, m) for r, m in smtp.inbox.messages if "满意度调查" in m["Subject"]]
    assert rcpt == [cast.y.email]
    assert survey.ticket.number in mail["Subject"]
    assert link_path(token) in mail.get_content()


def test_the_link_goes_to_the_contacts_wecom_group_when_that_is_their_channel(
    cast, open_request, receiver, robot
):
    robot("wecom", organisation=cast.orgs.lakeside)
    map_services.add_stakeholder(
        actor=cast.admin, organisation=cast.orgs.lakeside, person=cast.y, channel="wecom"
    )
    survey, token = sent_survey(open_request(), cast.y)
    assert survey.channel == "wecom"
    while deliver_due(worker="w1", batch=50):
        pass
    posted = [r for r in receiver.requests if r["key"].startswith(f"survey:{survey.pk}:")]
    assert len(posted) == 1 and posted[0]["answer"]["errcode"] == 0
    assert link_path(token) in str(posted[0]["body"])
