"""Request signing shared by every receiver kind.

Headers: X-Meshwatch-Delivery (the idempotency key, the same on every retry),
X-Meshwatch-Timestamp (Unix seconds of this attempt) and X-Meshwatch-Signature:
`sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`. Signing the timestamp with the
body lets a receiver refuse replays of an old request (compare it with its clock).
"""

from __future__ import annotations

import hashlib
import hmac

HEADER_DELIVERY = "X-Meshwatch-Delivery"
HEADER_TIMESTAMP = "X-Meshwatch-Timestamp"
HEADER_SIGNATURE = "X-Meshwatch-Signature"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` over `timestamp + "." + body`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def signed_headers(secret: str, delivery_key: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Every header of a signed request."""
    stamp = str(timestamp)
    return {
        "Content-Type": "application/json",
        "User-Agent": "meshwatch-webhook/1",
        HEADER_DELIVERY: delivery_key,
        "Idempotency-Key": delivery_key,
        HEADER_TIMESTAMP: stamp,
        HEADER_SIGNATURE: signature(secret, stamp, body),
    }


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """Whether `header` is the signature of (timestamp, body); constant-time."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)
