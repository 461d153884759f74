"""A survey link is its own credential: stored only as a hash, kept out of the logs."""

import logging

from caredesk.satisfaction import tokens
from caredesk.satisfaction.models import Survey

from .factories import sent_survey


def test_the_database_keeps_only_the_hash_of_the_link(cast, open_request):
    survey, token = sent_survey(open_request(), cast.y)
    row = Survey.objects.filter(pk=survey.pk).values().get()
    assert token not in str(row)
    assert row["token_hash"] == tokens.hash_token(token)


def test_a_logged_request_line_has_the_token_replaced(cast, open_request, caplog):
    _survey, token = sent_survey(open_request(), cast.y)
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /s/{token}/ HTTP/1.1", "200", "5"),
        None,
    )
    tokens.RedactSurveyTokens().filter(record)
    line = record.getMessage()
    assert token not in line and "/s/[survey-link]/" in line
    api_line = tokens.redact(f"POST /api/v1/surveys/{token} 201")
    assert token not in api_line
