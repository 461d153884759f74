"""The one REST API, /api/v1: authentication, the error shape, and the routers of each app.

Every error answers `{"error": {"code", "message", "fields"}}` with a 4xx status — also the ones
Ninja or Django make before a handler runs (see ErrorShapeMiddleware).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from caredesk import clock, ratelimit
from caredesk.apikit import HTTP_CODES, error_body
from caredesk.attachments.api import router as attachments_router
from caredesk.complaints.api import router as complaints_router
from caredesk.directory.api import router as directory_router
from caredesk.directory.models import ApiToken
from caredesk.errors import DomainError, ValidationFailed
from caredesk.escalation.api import router as escalation_router
from caredesk.fieldwork.api import router as fieldwork_router
from caredesk.inputs import UNSTORABLE, storable
from caredesk.insights.analytics.api import router as reports_router  # reports
from caredesk.insights.cases.api import router as cases_router  # learning cases
from caredesk.insights.handover.api import router as handover_router  # handover
from caredesk.insights.risk.api import router as risk_router  # early warning
from caredesk.runtime.import_api import router as imports_router  # imports
from caredesk.satisfaction.api import router as satisfaction_router
from caredesk.stakeholders.api import router as stakeholders_router
from caredesk.tickets.api import router as tickets_router
from caredesk.web.apidocs import OfflineSwagger
from caredesk.web.export_api import router as exports_router  # exports


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; tokens come from `manage.py createtoken USERNAME`."""

    def authenticate(self, request: HttpRequest, token: str):
        found = (
            ApiToken.objects.select_related("person", "person__organisation")
            .filter(key_hash=ApiToken.hash_key(token))
            .first()
        )
        now = clock.now()
        if found is None or not found.person.is_active or not found.is_live(now):
            return None  # unknown, expired or revoked: 401
        # Keyed by the hash, not the row id: ids come again in a restored or test database.
        verdict = ratelimit.hit(f"token:{found.key_hash[:24]}")
        if not verdict.allowed:
            raise RateLimited(retry_after=verdict.retry_after)
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.person
        return found.person


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = _lazy("Too many requests with this token; try again after Retry-After.")

    def __init__(self, *, retry_after: int):
        super().__init__()
        self.retry_after = retry_after


class SignedInSession(SessionAuth):
    """The browser's session cookie. Its CSRF check protects a signed-in person; when nobody is
    signed in there is nothing to protect, and the answer is the 401 of any anonymous call
    rather than "CSRF check failed"."""

    def _get_key(self, request: HttpRequest):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    status = 415


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


def _unstorable_fields(value, path: tuple[str, ...] = ()) -> list[str]:
    """Where in a parsed body (or query) a string holds what no text column takes."""
    if isinstance(value, str):
        return [] if storable(value) else [".".join(path) or "body"]
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in _unstorable_fields(v, (*path, str(k)))]
    if isinstance(value, list):
        return [f for i, v in enumerate(value) for f in _unstorable_fields(v, (*path, str(i)))]
    return []


def _refuse_unstorable(data) -> None:
    # Checked for every field at the door, so no handler meets a NUL or a lone surrogate
    # half-way through a write (PostgreSQL and the UTF-8 encoder refuse them with a 500).
    if found := _unstorable_fields(data):
        raise ValidationFailed(fields=dict.fromkeys(found, str(UNSTORABLE)))


class JsonParser(Parser):
    """Bodies are JSON and say so in Content-Type; every string in a body or query can be
    stored."""

    def parse_body(self, request: HttpRequest):
        if not _is_json(request.content_type or ""):
            raise UnsupportedMediaType(
                gettext("Send the body as JSON, with Content-Type: application/json.")
            )
        data = super().parse_body(request)
        # Every body is an object, or null where it is optional; Ninja read [null] as {}. A
        # PATCH body is never optional, but Ninja reads null as {} when every field of its
        # schema may be left out (StakeholderPatch): "no changes" is {}, not null.
        if (data is not None or request.method == "PATCH") and not isinstance(data, dict):
            raise ValidationFailed(fields={"body": gettext("Send a JSON object.")})
        _refuse_unstorable(data)
        return data

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        parsed = super().parse_querydict(data, list_fields, request)
        _refuse_unstorable(parsed)
        return parsed


class CareDeskApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """The document, with 413 and 415 declared where they can happen: on every operation
        that reads a JSON body (JsonParser, DATA_UPLOAD_MAX_MEMORY_SIZE)."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                if "requestBody" in operation:
                    responses = operation["responses"]
                    for status, why in (
                        (413, "Content Too Large"),
                        (415, "Unsupported Media Type"),
                    ):
                        responses.setdefault(status, {**responses[400], "description": why})
        return schema


api = CareDeskApi(
    title="CareDesk API",
    version="1",
    urls_namespace="api",
    auth=[BearerToken(), SignedInSession()],
    parser=JsonParser(),
    docs_url="/docs",
    docs=OfflineSwagger(),
    openapi_url="/openapi.json",
)


def error_response(request, status: int, code: str, message: str, fields=None):
    return api.create_response(request, error_body(code, message, fields), status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    response = error_response(
        request, exc.status, exc.code, str(exc.message), {k: str(v) for k, v in exc.fields.items()}
    )
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload")]
        key = ".".join(loc) or "body"
        fields.setdefault(key, err.get("msg", "invalid"))
    message = gettext("Some fields are not valid.")
    return error_response(request, 422, "validation_failed", message, fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response(
        request, 401, "unauthenticated", "Sign in, or send Authorization: Bearer <token>."
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    # Ninja turns anything the parser raises into "400 Cannot parse request body"; a domain
    # error from JsonParser (415, a NUL in a field) answers as itself.
    if isinstance(exc.__cause__, DomainError):
        return on_domain_error(request, exc.__cause__)
    code = HTTP_CODES.get(exc.status_code, "error")
    return error_response(request, exc.status_code, code, str(exc))


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    message = gettext("The body is larger than %(n)d bytes.") % {"n": limit}
    return error_response(request, 413, HTTP_CODES[413], message)


@api.exception_handler(Http404)
def on_404(request, exc):
    return error_response(request, 404, "not_found", "Not found.")


# First: its /tickets/export, /surveys/export… come before the apps' /tickets/{ticket_id}.
api.add_router("/", exports_router)  # exports
api.add_router("/", directory_router)
api.add_router("/", tickets_router)
api.add_router("/", escalation_router)
api.add_router("/", stakeholders_router)
api.add_router("/", fieldwork_router)
api.add_router("/", handover_router)  # handover
api.add_router("/", complaints_router)
api.add_router("/", satisfaction_router)
api.add_router("/", cases_router)  # learning cases
api.add_router("/", reports_router)  # reports
api.add_router("/", risk_router)  # early warning
api.add_router("/", attachments_router)
api.add_router("/", imports_router)  # imports


class ErrorShapeMiddleware:
    """Under /api/, an error Django or Ninja answered on their own — an unknown path (404), a
    method the path does not take (405), an unexpected exception (500) — is given the API's
    JSON shape. Outermost in MIDDLEWARE, so it sees every answer, even the 500 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return self.reshaped(request, response)
        return response

    def reshaped(self, request, response):
        status = response.status_code
        if status == 404:
            message = gettext("Not found.")
        elif status == 405:
            message = gettext("%(method)s is not allowed here; allowed: %(allowed)s.") % {
                "method": request.method,
                "allowed": response.get("Allow", ""),
            }
        elif status >= 500:
            message = gettext("Something went wrong on our side; it has been logged.")
        else:
            message = response.reason_phrase
        shaped = JsonResponse(
            error_body(HTTP_CODES.get(status, "error"), message),
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
        for header in ("Allow", "Retry-After", "Content-Language", "Vary"):
            if header in response:
                shaped[header] = response[header]
        return shaped
