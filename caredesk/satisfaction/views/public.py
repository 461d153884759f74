"""The survey page a contact opens from the mailed (or posted) link: no sign-in, in the
contact's own language, made for a phone. GET shows the form and records nothing — mail
scanners open every link; one POST records the answer. A refused answer (already answered,
expired) says so on the page under its own 4xx status, with nothing changed."""

from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from caredesk import pagekit
from caredesk.errors import DomainError, NotFound

from .. import selectors, services
from .forms import AnswerForm


def _private(response):
    # The token is in this page's address: it must not leave in a Referer, nor be cached.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def _render(request, survey, *, form=None, state=None, status=200, refusal=""):
    context = {
        "survey": survey,
        "state": state or selectors.link_state(survey),
        "form": form or AnswerForm(),
        "refusal": refusal,
    }
    return _private(render(request, "satisfaction/survey_page.html", context, status=status))


# No CSRF token: the answer does not ride on a session (nobody is signed in), the link's token
# is what a forger would need — and with no-referrer the browser sends "Origin: null", which
# Django's CSRF check refuses.
@csrf_exempt
@never_cache
def survey_page(request, token):
    try:
        survey = selectors.survey_for_token(token)
    except NotFound:
        return _private(render(request, "satisfaction/survey_unknown.html", status=404))
    with translation.override(survey.contact.language):
        request.LANGUAGE_CODE = translation.get_language()
        if request.method != "POST":
            return _render(request, survey)
        form = AnswerForm(request.POST)
        if not form.is_valid():
            return _render(request, survey, form=form, status=422)
        try:
            services.answer_survey(token=token, **form.verb_arguments())
        except DomainError as exc:
            pagekit.add_field_errors(form, exc)
            survey = selectors.survey_for_token(token)
            return _render(
                request,
                survey,
                form=form,
                status=pagekit.error_status(exc),
                refusal=str(exc.message),
            )
        return _render(request, selectors.survey_for_token(token), state="thanks")
