"""The OpenAPI schema tells the truth about errors: one error body, on every operation.

Every API error answers with the body :func:`xiqia.core.api.error_body` builds (see
``xiqia/core/api.py``). :func:`document_errors`, a drf-spectacular post-processing hook, declares
that body once as the ``Error`` component and references it from every operation for the
statuses any call can meet (invalid or malformed input, missing or wrong credentials, no
permission, no such object or page, too many requests) and, on writes, for those a write can
meet (a conflict with the current state, a body over the size limit, a media type the API does
not read). An operation that documents one of these statuses itself keeps its own description.
"""

from __future__ import annotations

from typing import Any

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The one error body of the API, in the request's language.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer", "description": "The HTTP status, repeated."},
                "code": {
                    "type": "string",
                    "description": "A machine-readable code: invalid, malformed, "
                    "not_authenticated, authentication_failed, permission_denied, not_found, "
                    "method_not_allowed, not_acceptable, unsupported_media_type, "
                    "too_large, throttled, conflict, refused or a service's own code.",
                },
                "message": {"type": "string", "description": "A translated message."},
                "fields": {
                    "type": "object",
                    "description": "Invalid input: each field (or query parameter) named, "
                    "with its messages; empty otherwise.",
                    "additionalProperties": True,
                },
            },
            "required": ["status", "code", "message", "fields"],
            "additionalProperties": False,
        }
    },
    "required": ["error"],
    "additionalProperties": False,
}
# Statuses every operation can answer, and those only writes can.
ANY_CALL = {
    "400": "The input (body, query parameters) is malformed or not valid.",
    "401": "No credentials, or credentials that are not valid.",
    "403": "The caller may not do this.",
    "404": "No such object, or no such page of a list.",
    "429": "Too many requests: try again after Retry-After seconds.",
}
WRITES = {
    "409": "The request conflicts with the current state.",
    "413": "The body is larger than the server accepts.",
    "415": "The body's media type is not one the API reads.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> Any:
    """drf-spectacular post-processing hook: the error body on every operation (module doc)."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = dict(ANY_CALL)
            if method in WRITE_METHODS:
                statuses.update(WRITES)
            responses = operation["responses"]
            for status, description in statuses.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
