"""The dead-letter page: messages that could not be delivered, for an administrator to
inspect (what was sent, every try and its answer) and send again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caredesk.errors import DomainError
from caredesk.inputs import parse_id
from caredesk.notify import policy, rendering, selectors, services
from caredesk.notify.models import Message, MessageState
from caredesk.stakeholders.models import ContactChannel

PAGE_SIZE = 50


def _admin_only(request):
    if not policy.can_manage_outbox(request.user):
        return render(request, "web/not_found.html", status=404)
    return None


@login_required
def dead_letters(request):
    if blocked := _admin_only(request):
        return blocked
    qs = Message.objects.filter(state=MessageState.DEAD).select_related("recipient", "endpoint")
    channel = request.GET.get("channel", "")
    if channel in ContactChannel.values:
        qs = qs.filter(channel=channel)
    if before := parse_id(request.GET.get("before")):
        qs = qs.filter(pk__lt=before)
    rows = list(qs.order_by("-id")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return render(
        request,
        "notify/dead_letters.html",
        {
            "rows": rows,
            "next_before": rows[-1].pk if more else None,
            "channel": channel,
            "channels": ContactChannel.choices,
            "dead_count": Message.objects.filter(state=MessageState.DEAD).count(),
            "missing": selectors.missing_endpoints(),
        },
    )


@login_required
def message_detail(request, message_id: int):
    if blocked := _admin_only(request):
        return blocked
    message = Message.objects.select_related("recipient", "endpoint").filter(pk=message_id).first()
    if message is None:
        return render(request, "web/not_found.html", status=404)
    subject, body = message.subject, message.body
    if not subject and not body:
        try:
            subject, body = rendering.render(message.template, message.language, message.context)
        except TemplateDoesNotExist:
            subject, body = "", ""
    return render(
        request,
        "notify/message.html",
        {
            "m": message,
            "subject": subject,
            "body": body,
            "attempts": list(message.attempts.order_by("at", "id")),
            "ticket_number": message.context.get("number", ""),
        },
    )


@login_required
@require_POST
def retry(request, message_id: int):
    if blocked := _admin_only(request):
        return blocked
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return render(request, "web/not_found.html", status=404)
    try:
        services.retry_message(actor=request.user, message=message)
        messages.success(request, _("The message is queued again."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("notify:notify_message", message_id=message.pk)


@login_required
@require_POST
def retry_selected(request):
    if blocked := _admin_only(request):
        return blocked
    ids = [pk for v in request.POST.getlist("ids") if (pk := parse_id(v))]
    done = services.retry_messages(actor=request.user, ids=ids)
    messages.success(request, _("%(n)d messages queued again.") % {"n": done})
    return redirect("notify:notify_dead")
