"""Badge tokens a gate can check without the server: Ed25519 signatures over a small payload.

Plain functions with plain data in and out (no Django): the server signs with the fair's
private key; a gate verifies with the public key it downloaded with the signed gate list.

A token is ``XQ1.<payload>.<signature>``, both parts base64url without padding; the payload is
compact JSON: ``{"b": badge id, "f": fair id, "n": name, "c": category}``.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "XQ1"


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_keypair() -> tuple[str, str]:
    """Return a new (private, public) key pair, both as base64url of the raw 32 bytes."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return b64encode(raw_private), b64encode(raw_public)


def canonical(data: Any) -> bytes:
    """Return the bytes that are signed: JSON with sorted keys and no spaces."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(private_key: str, message: bytes) -> str:
    return b64encode(Ed25519PrivateKey.from_private_bytes(b64decode(private_key)).sign(message))


def verify(public_key: str, message: bytes, signature: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(b64decode(public_key)).verify(
            b64decode(signature), message
        )
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class BadgeClaims:
    badge_id: str
    fair_id: int
    name: str
    category: str


def make_token(private_key: str, claims: BadgeClaims) -> str:
    """Return the signed token for a badge's QR code."""
    payload = canonical(
        {"b": claims.badge_id, "f": claims.fair_id, "n": claims.name, "c": claims.category}
    )
    return f"{PREFIX}.{b64encode(payload)}.{sign(private_key, payload)}"


class InvalidToken(ValueError):
    """The text is not a badge token, or its signature does not hold."""


def read_token(public_key: str, token: str) -> BadgeClaims:
    """Return the claims of a token whose signature holds, or raise ``InvalidToken``."""
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise InvalidToken("not a badge token")
    try:
        payload = b64decode(parts[1])
    except ValueError as exc:
        raise InvalidToken("malformed payload") from exc
    if not verify(public_key, payload, parts[2]):
        raise InvalidToken("signature does not match")
    data = json.loads(payload)
    return BadgeClaims(
        badge_id=data["b"], fair_id=int(data["f"]), name=data["n"], category=data["c"]
    )


def peek_token(token: str) -> dict[str, Any] | None:
    """Return a token's claims without checking them (to find which fair's key to use)."""
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    try:
        claims = json.loads(b64decode(parts[1]))
    except ValueError:
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("f"), int):
        return None
    return claims
