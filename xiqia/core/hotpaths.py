"""A short way through the stack for the few API calls that come in floods.

A gate scans a badge every second or two and a voucher campaign opens to a flash crowd; for those
calls the full middleware stack (sessions, CSRF, messages, CSP, history, lockouts) and DRF's
request cycle (parsers, content negotiation, authentication classes, renderers) cost several times
what the work itself does. :class:`HotPathMiddleware` sits right after the security and static
files middleware and answers a registered call itself when, and only when, it is the plain case:

* ``Authorization: Token <key>`` that :class:`~xiqia.accounts.tokens.CachedTokenAuthentication`
  accepts (the same cached users and roles as the API; no session, so no CSRF to check);
* a JSON body and a client that accepts JSON;
* the handler's own checks (its permission, its object) pass.

Otherwise the request goes down the usual stack untouched, so every other answer (401, 403,
404, a malformed body, the browsable API) is the API's own. What the handler raises (a service's
refusal, invalid input, a rate limit) becomes the API's error body through
:func:`xiqia.core.api.exception_handler`, in the request's language. The routes stay in the DRF
router as well, which documents them in the OpenAPI schema; the tests run both ways.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from csp.utils import build_policy
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string
from rest_framework.exceptions import APIException, AuthenticationFailed
from rest_framework.renderers import JSONRenderer
from simple_history.models import HistoricalRecords

from xiqia.core import parsers
from xiqia.core.errors import DomainError

# A handler takes the request (``request.user`` set) and the route's keyword arguments, and
# returns ``(status, data)``, or ``None`` to send the request down the usual stack instead.
# It may return None only before it has changed anything.
Handler = Callable[..., tuple[int, Any] | None]

ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"^/api/v1/gates/(?P<pk>[0-9]+)/scan/$"), "xiqia.fair.api.scan_hot_path"),
    (
        "POST",
        re.compile(r"^/api/v1/voucher-campaigns/(?P<slug>[-a-zA-Z0-9_]+)/claim/$"),
        "xiqia.tourism.api.claim_hot_path",
    ),
]
PREFIX = "/api/v1/"
ACCEPTS_JSON = {"", "*/*", "application/json"}
REFUSALS = (DomainError, DjangoValidationError, APIException, Http404, DjangoPermissionDenied)

_renderer = JSONRenderer()


def _json_body(request: HttpRequest) -> Any:
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.split(";", 1)[0].strip() != "application/json":
        return None
    try:
        # Malformed, NaN, nested too deeply or over the size limit: the usual stack answers
        # in the error format (400 or 413; xiqia/core/parsers.py).
        return parsers.loads(request.body)
    except (ValueError, RequestDataTooBig):
        return None


def _user(request: HttpRequest) -> Any:
    from xiqia.accounts.tokens import CachedTokenAuthentication

    words = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(words) != 2 or words[0] != "Token":
        return None
    try:
        user, _token = CachedTokenAuthentication().authenticate_credentials(words[1])
    except AuthenticationFailed:
        return None
    return user


def _render(status: int, data: Any, headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(_renderer.render(data), status=status, content_type="application/json")
    for name, value in (headers or {}).items():
        response[name] = value
    response["X-Frame-Options"] = "DENY"
    # The policy CSPMiddleware gives every other answer (it is further down the stack).
    response["Content-Security-Policy"] = build_policy()
    # CommonMiddleware is not on this path: without a length, a keep-alive answer is chunked.
    response["Content-Length"] = str(len(response.content))
    return response


class HotPathMiddleware:
    """Answer the registered hot API calls without the rest of the stack (see module doc)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.routes = [(method, pattern, import_string(name)) for method, pattern, name in ROUTES]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith(PREFIX) and request.META.get("HTTP_AUTHORIZATION"):
            for method, pattern, handler in self.routes:
                match = pattern.match(path) if request.method == method else None
                if match:
                    response = self.answer(request, handler, match.groupdict())
                    if response is not None:
                        return response
                    break
        return self.get_response(request)

    def answer(
        self, request: HttpRequest, handler: Handler, kwargs: dict[str, str]
    ) -> HttpResponse | None:
        if request.META.get("HTTP_ACCEPT", "").strip() not in ACCEPTS_JSON:
            return None
        body = _json_body(request)
        if not isinstance(body, dict):
            return None
        user = _user(request)
        if user is None:
            return None
        request.user = user
        language = translation.get_language_from_request(request)
        HistoricalRecords.context.request = request
        # The language for this answer only: the worker's next request starts afresh.
        try:
            with translation.override(language):
                try:
                    outcome = handler(request, body, **kwargs)
                except REFUSALS as exc:
                    from xiqia.core.api import exception_handler

                    error = exception_handler(exc, {"request": request})
                    if error is None:  # not a refusal the API knows: the usual 500
                        raise
                    headers = {k: v for k, v in error.items() if k.lower() != "content-type"}
                    response = _render(error.status_code, error.data, headers=headers)
                else:
                    if outcome is None:
                        return None
                    response = _render(*outcome)
        finally:
            del HistoricalRecords.context.request
        response["Content-Language"] = language
        patch_vary_headers(response, ("Accept", "Accept-Language"))
        return response
