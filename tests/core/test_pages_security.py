"""Pages carry the security headers and nothing that a strict Content-Security-Policy blocks."""

from __future__ import annotations

import re

import pytest

from tests.conftest import World

PAGES = [
    "/",
    "/directory/",
    "/directory/regions/?q=500",
    "/directory/regions/500112/",
    "/accounts/login/",
    "/accounts/me/",
    "/accounts/people/",
    "/directory/organisations/new/",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_csp_and_no_inline_script_or_style(world: World, path: str) -> None:
    role = "anonymous" if path == "/accounts/login/" else "admin"
    response = world.client_for(role).get(path)
    html = response.content.decode()

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    # Only JSON data blocks may sit inline: they are not executed, so the CSP allows them.
    inline = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>")
    assert not inline.search(html), "inline <script>"
    assert not re.search(r"\sstyle=", html), "inline style attribute"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert not re.search(r"""(?:src=|<link[^>]+href=)["'](?:https?:)?//""", html), "remote asset"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_page_organisation_detail_has_no_inline_code(world: World) -> None:
    html = (
        world.client_for("admin")
        .get(f"/directory/organisations/{world.yubei_org.pk}/")
        .content.decode()
    )

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\sstyle=", html)
