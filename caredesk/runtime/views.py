"""/readyz and /metrics (/healthz, the process alone, is the shell's: web.views.healthz)."""

from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from caredesk.web.lockout import client_address

from . import observe


@require_GET
@never_cache
def readyz(request):
    """200 when this process may take traffic: the database answers, every migration is
    applied, a worker's heartbeat is fresh and the outbox is not backed up; 503 with the
    failing checks otherwise. Says nothing about tickets: safe unauthenticated."""
    checks = observe.readiness()
    ready = all(c.ok for c in checks)
    body = {
        "status": "ready" if ready else "unready",
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
    }
    return JsonResponse(body, status=200 if ready else 503)


@require_GET
@never_cache
def metrics(request):
    """Prometheus' text format. A caller without the token or from outside the allow-list gets
    the same 404 as for a page that does not exist. The allow-list is matched against the
    client's own address through CAREDESK_TRUSTED_PROXIES: behind nginx REMOTE_ADDR is the
    proxy's loopback address, which the default list would let anyone through."""
    if not observe.may_scrape(
        authorization=request.headers.get("Authorization", ""),
        remote_addr=client_address(request),
    ):
        raise Http404
    registry = CollectorRegistry(auto_describe=False)
    registry.register(observe.DomainCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
