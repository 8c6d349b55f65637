"""API building blocks: one error format, access-scoped viewsets, the default permission.

Every error answers with the HTTP status and a JSON body of one shape, in the request's
language::

    {"error": {"status": 403, "code": "permission_denied",
               "message": "您没有执行该操作的权限。", "fields": {}}}

``fields`` maps input field names to lists of messages when the input was invalid.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from xiqia.accounts import access
from xiqia.core.errors import DomainError


class TooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _lazy("The request body is larger than the server accepts.")
    default_code = "too_large"


_CODES = {
    TooLarge: "too_large",
    exceptions.ValidationError: "invalid",
    exceptions.ParseError: "malformed",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def error_body(status: int, code: str, message: Any, fields: Any = None) -> dict[str, Any]:
    return {
        "error": {
            "status": status,
            "code": code,
            "message": str(message),
            "fields": _stringify(fields or {}),
        }
    }


def _stringify(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _stringify(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_stringify(v) for v in value]
    return str(value)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn every exception an API view raises into the one error format."""
    if isinstance(exc, DomainError):
        return Response(
            error_body(exc.status, exc.code, exc.message, exc.fields), status=exc.status
        )
    if isinstance(exc, DjangoValidationError):
        fields = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(fields)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):
        exc = TooLarge()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: let Django log it and answer 500 (see server_error below)
    code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        message = _("The input is not valid.")
    else:
        fields = {}
        message = exc.detail
    headers = {}
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        headers["WWW-Authenticate"] = "Token"
    return Response(
        error_body(exc.status_code, code, message, fields),
        status=exc.status_code,
        headers=headers,
    )


# Query parameters are checked before use: an id within a 64-bit primary key (PostgreSQL's
# bigint, SQLite's INTEGER), a year within the span the platform's data can cover.
MAX_ID = 2**63 - 1
YEARS = (1900, 2100)


def int_param(
    request: Request, name: str, *, minimum: int = 1, maximum: int = MAX_ID
) -> int | None:
    """A whole-number query parameter, or None when absent; out of range: 400 naming it."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not value.isascii() or not value.isdigit() or not minimum <= int(value) <= maximum:
        raise exceptions.ValidationError(
            {
                name: [
                    _("Enter a whole number from %(minimum)s to %(maximum)s.")
                    % {"minimum": minimum, "maximum": maximum}
                ]
            }
        )
    return int(value)


def year_param(request: Request, name: str = "year") -> int | None:
    """A year query parameter, or None when absent; outside :data:`YEARS`: 400 naming it."""
    return int_param(request, name, minimum=YEARS[0], maximum=YEARS[1])


class ScopedViewSetMixin:
    """Scope a viewset's queryset and objects through the access helper."""

    request: Request

    def base_queryset(self) -> Any:
        raise NotImplementedError

    def get_queryset(self) -> Any:
        return access.scope(self.request, self.base_queryset(), access.Action.VIEW)

    def get_object(self) -> Any:
        obj = super().get_object()  # type: ignore[misc]
        if self.request.method in {"PUT", "PATCH"}:
            access.require(self.request, access.Action.CHANGE, obj)
        elif self.request.method == "DELETE":
            access.require(self.request, access.Action.DELETE, obj)
        return obj


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class ApiErrorMiddleware:
    """Under /api/, answer in the error format what Django answers itself in HTML.

    The API's views and the hot paths answer errors in the format already. What Django answers
    before or around them (an unknown path or a server error with ``DEBUG`` on, its debug pages;
    a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` read outside DRF) would be an HTML page; this
    middleware, first in the stack, turns it into the same error body with the same status
    (413 for a body over the limit).
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not _is_api(request)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        if status == 400 and _too_large(request):
            status = 413
        code, message = _DJANGO_ERRORS.get(status, ("error", _lazy("The request failed.")))
        return JsonResponse(error_body(status, code, message), status=status)


def _too_large(request: HttpRequest) -> bool:
    from django.conf import settings

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    length = request.META.get("CONTENT_LENGTH") or "0"
    return limit is not None and length.isdigit() and int(length) > limit


_DJANGO_ERRORS = {
    400: ("malformed", _lazy("The request is malformed.")),
    403: ("permission_denied", _lazy("You do not have permission to perform this action.")),
    404: ("not_found", _lazy("Not found.")),
    405: ("method_not_allowed", _lazy("The method is not allowed here.")),
    413: ("too_large", TooLarge.default_detail),
    500: ("server_error", _lazy("Something went wrong on our side.")),
}


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> Any:
    """Answer 404 in the API's format under /api/, with the site's page elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body(404, "not_found", _("Not found.")), status=404)
    from django.views.defaults import page_not_found as default

    return default(request, exception, template_name="404.html")


def server_error(request: HttpRequest) -> Any:
    """Answer 500 in the API's format under /api/, with the site's page elsewhere."""
    if _is_api(request):
        return JsonResponse(
            error_body(500, "server_error", _("Something went wrong on our side.")), status=500
        )
    from django.views.defaults import server_error as default

    return default(request, template_name="500.html")
