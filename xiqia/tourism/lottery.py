"""The public lottery, reproducible by anyone from the seed and the entrant list. No Django.

The procedure, in the order the platform follows it:

1. Before registration closes, the organisers choose a secret seed and publish only its
   SHA-256 hash (:func:`seed_hash`). Once published, the seed can no longer be changed unseen.
2. At the close of registration the entrant list is frozen: every entry's public code (a random
   string that names no one), sorted, one per line. Its SHA-256 (:func:`entrants_digest`) is
   published with the list.
3. At the draw the organisers reveal the seed. Anyone checks ``sha256(seed) == published hash``
   and recomputes the winners with :func:`draw`:

   for each entrant code ``c``, its score is ``SHA-256(seed + ":" + c)`` read as a hexadecimal
   number; the ``k`` entrants with the lowest scores win (a tie, practically impossible, goes to
   the smaller code).

Nobody can steer the result: the seed was fixed before the list was known, and the list was
fixed before the seed was revealed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def seed_hash(seed: str) -> str:
    """Return the SHA-256 (hex) of a seed, the value published before the draw."""
    return hashlib.sha256(seed.encode()).hexdigest()


def entrants_text(codes: Iterable[str]) -> str:
    """Return the published entrant list: codes sorted, one per line, ending in a newline."""
    ordered = sorted(codes)
    return "".join(f"{code}\n" for code in ordered)


def entrants_digest(codes: Iterable[str]) -> str:
    """Return the SHA-256 (hex) of the published entrant list."""
    return hashlib.sha256(entrants_text(codes).encode()).hexdigest()


def score(seed: str, code: str) -> str:
    return hashlib.sha256(f"{seed}:{code}".encode()).hexdigest()


def draw(seed: str, codes: Iterable[str], winners: int) -> list[str]:
    """Return the winning codes, best score first: the ``winners`` lowest SHA-256 scores."""
    ranked = sorted(set(codes), key=lambda code: (score(seed, code), code))
    return ranked[: max(winners, 0)]
