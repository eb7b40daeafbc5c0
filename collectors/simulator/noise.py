"""Hash-seeded noise: every random-looking number is a pure function of its key.

There is deliberately no shared RNG: a sequential generator would make the value at time t
depend on how many values were drawn before it, and the demo must be able to backfill, replay
and jump to any instant with identical results.
"""

from __future__ import annotations

import hashlib

# Noise is held constant within a bucket so that neighbouring cycles of one collector and a
# replay started a few seconds off agree, and so an interval's noise doesn't depend on its length.
NOISE_BUCKET_S = 15.0

_SCALE = float(1 << 64)


def unit(*parts: object) -> float:
    """A uniform number in [0, 1) determined only by `parts`."""
    key = ":".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") / _SCALE


def jitter(spread: float, *parts: object) -> float:
    """A multiplier uniform in [1 - spread, 1 + spread], determined only by `parts`."""
    return 1.0 + spread * (2.0 * unit(*parts) - 1.0)


def bucket(ts: float) -> int:
    """The noise bucket a Unix time falls in."""
    return int(ts // NOISE_BUCKET_S)
