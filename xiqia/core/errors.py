"""Domain errors: a service refuses with a machine-readable code and a translated message."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule refused the change. Nothing was written."""

    code = "refused"
    status = 400
    default_message: Any = _("The request was refused.")

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        fields: dict[str, list[Any]] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.message))


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("The request conflicts with the current state.")


def add_to_form(form: Any, exc: Exception) -> None:
    """Show a service's refusal on a form: field errors by field, the rest on top."""
    from django.core.exceptions import ValidationError

    if isinstance(exc, DomainError):
        if exc.fields:
            for name, messages in exc.fields.items():
                for message in messages:
                    form.add_error(name if name in form.fields else None, str(message))
        else:
            form.add_error(None, str(exc.message))
        return
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return
    raise exc
