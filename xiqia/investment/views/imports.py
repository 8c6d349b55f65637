"""Excel import pages: upload, a checked preview (in chunks, with progress), then import.

The uploaded file waits in the media storage under an unguessable name; what the check found
so far lives in the user's session. Nothing is saved before the import step, and the import
saves every row or none (``xiqia.investment.imports``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiqia.accounts import access
from xiqia.investment import imports
from xiqia.investment.exports import XLSX
from xiqia.investment.forms import style
from xiqia.investment.models import Project

MAX_BYTES = 10 * 1024 * 1024
SHOWN_ERRORS = 200


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=[(code, kind.label) for code, kind in imports.KINDS.items()],
    )
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        help_text=gettext_lazy("Fill in the template; at most 10 MB."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx"
        style(self)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB; split it."))
        return upload


def _require_importer(request: HttpRequest) -> None:
    # Those who may add catalogue projects (officers, administrators) import; each row is
    # then checked by its service against the user's reach.
    if not access.can_create(request, Project):
        raise PermissionDenied


def _state(request: HttpRequest, token: str) -> dict[str, Any]:
    state = request.session.get(f"investment-import-{token}")
    if state is None:
        raise Http404
    return state


def _save_state(request: HttpRequest, token: str, state: dict[str, Any]) -> None:
    request.session[f"investment-import-{token}"] = state


def _content(state: dict[str, Any]) -> bytes:
    with default_storage.open(state["path"], "rb") as handle:
        return handle.read()


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kind = imports.KINDS[form.cleaned_data["kind"]]
        content = form.cleaned_data["file"].read()
        try:
            total = imports.read_header(content, kind)
        except imports.FileError as exc:
            form.add_error("file", str(exc))
        else:
            token = uuid.uuid4().hex
            stored = default_storage.save(f"investment/imports/{token}.xlsx", ContentFile(content))
            _save_state(
                request,
                token,
                {
                    "kind": kind.code,
                    "path": stored,
                    "total": total,
                    "done": 0,
                    "valid": 0,
                    "errors": [],
                    "error_count": 0,
                },
            )
            return redirect("investment:import-preview", token=token)
    return render(
        request,
        "investment/import_upload.html",
        {"form": form, "kinds": imports.KINDS.values(), "section": "import"},
    )


@require_GET
@login_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    found = imports.KINDS.get(kind)
    if found is None:
        raise Http404
    response = HttpResponse(imports.template_workbook(found), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="investment-{kind}-template.xlsx"'
    return response


def _context(token: str, state: dict[str, Any]) -> dict[str, Any]:
    total = state["total"]
    return {
        "token": token,
        "state": state,
        "kind": imports.KINDS[state["kind"]],
        "percent": int(100 * state["done"] / total) if total else 100,
        "finished": state["done"] >= total,
        "more_errors": state["error_count"] - len(state["errors"]),
    }


def _check_next(request: HttpRequest, token: str, state: dict[str, Any], rows: int) -> None:
    kind = imports.KINDS[state["kind"]]
    start = state["done"]
    stop = min(start + rows, state["total"])
    valid, errors = imports.check_rows(
        kind, _content(state), actor=request.user, start=start, stop=stop
    )
    state["done"] = stop
    state["valid"] += valid
    state["error_count"] += len(errors)
    room = SHOWN_ERRORS - len(state["errors"])
    state["errors"] += [error.as_dict() for error in errors[: max(room, 0)]]
    _save_state(request, token, state)


@require_GET
@login_required
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """The preview page; without JavaScript, ``?all=1`` checks every row in one request."""
    _require_importer(request)
    state = _state(request, token)
    if request.GET.get("all") and state["done"] < state["total"]:
        _check_next(request, token, state, state["total"])
    return render(request, "investment/import_preview.html", _context(token, state))


@require_POST
@login_required
def check(request: HttpRequest, token: str) -> HttpResponse:
    """Check the next chunk of rows (htmx); answer with the progress or the result."""
    _require_importer(request)
    state = _state(request, token)
    if state["done"] < state["total"]:
        _check_next(request, token, state, imports.CHUNK)
    return render(request, "investment/_import_progress.html", _context(token, state))


@require_POST
@login_required
def commit(request: HttpRequest, token: str) -> HttpResponse:
    """Import every row in one transaction: all of them, or none and the errors."""
    _require_importer(request)
    state = _state(request, token)
    kind = imports.KINDS[state["kind"]]
    saved, errors = imports.import_rows(kind, _content(state), actor=request.user)
    if errors:
        state.update(
            {
                "done": state["total"],
                "valid": 0,
                "errors": [e.as_dict() for e in errors[:SHOWN_ERRORS]],
                "error_count": len(errors),
            }
        )
        _save_state(request, token, state)
        messages.error(request, _("Nothing was imported: correct the rows below and upload again."))
        return render(request, "investment/import_preview.html", _context(token, state), status=400)
    default_storage.delete(state["path"])
    del request.session[f"investment-import-{token}"]
    messages.success(request, _("%(n)s rows were imported.") % {"n": saved})
    target = {"projects": "investment:project-list", "deals": "investment:deal-list"}
    return redirect(reverse(target.get(kind.code, "investment:dashboard")))


urlpatterns: list[URLPattern] = [
    path("import/", upload, name="import"),
    path("import/templates/<str:kind>.xlsx", template, name="import-template"),
    path("import/<str:token>/", preview, name="import-preview"),
    path("import/<str:token>/check/", check, name="import-check"),
    path("import/<str:token>/commit/", commit, name="import-commit"),
]
