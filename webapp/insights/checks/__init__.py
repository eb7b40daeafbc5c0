"""The checks, one per module: every module of this package with a `CHECK` is one.

Adding a check is adding a file; nothing else registers it. `all_checks()` returns them
sorted by id, so the order findings are produced in is stable.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from webapp.insights.checks.base import Check


@cache
def all_checks() -> tuple[Check, ...]:
    """Every check in this package, by id; two modules claiming one id is a bug, refused."""
    found: dict[str, Check] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        check = getattr(module, "CHECK", None)
        if check is None:
            continue
        if check.id in found:
            raise RuntimeError(f"two checks claim the id {check.id!r}")
        found[check.id] = check
    return tuple(found[k] for k in sorted(found))
