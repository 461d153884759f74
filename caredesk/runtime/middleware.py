"""The request id: taken from X-Request-ID when the caller (nginx, a client) sends a plain one,
otherwise made here; bound for every log line of the request, stored on the timers and
messages it queues (caredesk.tracing), and returned in the answer's X-Request-ID."""

import logging
import time

import structlog

from caredesk import tracing

log = logging.getLogger("caredesk.requests")
events = structlog.get_logger("caredesk.requests")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = tracing.accepted(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        tracing.start(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if log.isEnabledFor(logging.INFO):
                user = getattr(request, "user", None)
                events.info(
                    "request",
                    method=request.method,
                    path=request.path,
                    status=response.status_code,
                    ms=round((time.perf_counter() - started) * 1000, 1),
                    user=user.pk if user is not None and user.is_authenticated else None,
                )
            return response
        finally:
            tracing.finish()
