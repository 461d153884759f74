"""The shell's pages: sign-in and sign-out, the language switch, the health check and the
landing redirect (the code step of signing in is twostep.py). Each domain app owns its own
pages (tickets, escalation, stakeholders, notify, directory)."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caredesk.directory import services as directory_services
from caredesk.directory import totp

from . import twostep


def healthz(request):
    return JsonResponse({"status": "ok"})


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        person = form.get_user()
        if totp.has_second_factor(person):
            # Nobody is signed in until the code step (twostep.py) says so.
            return twostep.begin(self.request, person, self.get_success_url())
        return twostep.remember_language(super().form_valid(form), person)


class LogoutView(auth_views.LogoutView):
    """POST signs out. A GET (a typed or bookmarked /logout/) asks with a button instead of
    answering an empty 405; someone already signed out goes to the sign-in page."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("web:login")
        return render(request, "web/logout.html")


@require_POST
def set_language(request):
    lang = request.POST.get("language", "")
    if lang not in {"zh-hans", "en"}:
        return HttpResponse(_("Unknown language."), status=400)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    if request.user.is_authenticated:
        directory_services.set_language(person=request.user, language=lang)
    response = redirect(target)
    response.set_cookie("django_language", lang, samesite="Lax", max_age=365 * 86400)
    translation.activate(lang)
    return response


@login_required
def home(request):
    if request.user.is_customer:
        return redirect("tickets:portal")
    return redirect("tickets:queue")
