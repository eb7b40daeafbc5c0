"""The one client of Prometheus: instant queries at an explicit time, with timeouts and retries.

Everything that asks Prometheus something goes through `PrometheusClient`, so the timeout, the
retry policy and the wording of errors are decided once. Parsing of answers is split from the
I/O (`parse_vector`, `parse_names`), so it is tested on recorded JSON without a server.

Retry policy: connection errors and 5xx answers are retried a few times with exponential
backoff and full jitter (many workers hitting a restarting Prometheus should not retry in
lock-step). A 4xx answer (a bad query) is never retried: it will fail the same way again.
A timeout is not retried either: the cycle has a deadline, and asking a slow Prometheus the
same heavy question again only makes it slower.
"""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
import urllib3
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from urllib3.util.retry import Retry

QUERY_PREVIEW_CHARS = 120
_STATUS = re.compile(r"HTTP Status Code (\d{3})")


class PrometheusError(RuntimeError):
    """A query that Prometheus did not answer; the message names the query and the cause."""

    def __init__(self, query: str, cause: str, *, status: int | None = None) -> None:
        self.query = query
        self.cause = cause
        self.status = status
        super().__init__(f"Prometheus query {abbreviate(query)!r} failed: {cause}")


@dataclass(frozen=True)
class Sample:
    """One element of an instant vector: its labels and its value.

    NaN and ±Inf are kept as floats (`is_finite` tells them apart) so that callers can drop
    them and say how many they dropped, instead of a parser hiding them.
    """

    labels: dict[str, str] = field(default_factory=dict)
    value: float = 0.0

    @property
    def is_finite(self) -> bool:
        return math.isfinite(self.value)


def abbreviate(query: str, limit: int = QUERY_PREVIEW_CHARS) -> str:
    """`query` on one line, cut to `limit` characters with an ellipsis."""
    flat = " ".join(query.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def parse_value(raw: object) -> float:
    """A Prometheus sample value ("1.5", "NaN", "+Inf", "-Inf") as a float."""
    return float(str(raw))


def parse_vector(result: Iterable[Mapping[str, Any]]) -> list[Sample]:
    """The `data.result` list of an instant-vector answer as samples.

    Raises ValueError on an element that is not `{"metric": {...}, "value": [ts, "v"]}`.
    """
    samples = []
    for item in result:
        try:
            labels = {str(k): str(v) for k, v in dict(item["metric"]).items()}
            value = parse_value(item["value"][1])
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise ValueError(f"not an instant-vector element: {str(item)[:80]}") from exc
        samples.append(Sample(labels, value))
    return samples


def parse_matrix(result: Iterable[Mapping[str, Any]]) -> dict[float, list[Sample]]:
    """The `data.result` list of a range answer, regrouped as one instant vector per time.

    Raises ValueError on an element that is not `{"metric": {...}, "values": [[ts, "v"]...]}`.
    """
    by_time: dict[float, list[Sample]] = {}
    for item in result:
        try:
            labels = {str(k): str(v) for k, v in dict(item["metric"]).items()}
            points = [(float(ts), parse_value(v)) for ts, v in item["values"]]
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise ValueError(f"not a range-vector element: {str(item)[:80]}") from exc
        for ts, value in points:
            by_time.setdefault(ts, []).append(Sample(labels, value))
    return by_time


def parse_names(data: Iterable[object]) -> frozenset[str]:
    """The `data` list of a label-values answer as a set of strings."""
    return frozenset(str(name) for name in data)


def split_finite(samples: Iterable[Sample]) -> tuple[list[Sample], int]:
    """The finite samples, and how many NaN/±Inf ones were left out."""
    kept, dropped = [], 0
    for sample in samples:
        if sample.is_finite:
            kept.append(sample)
        else:
            dropped += 1
    return kept, dropped


class PrometheusClient:
    """Instant queries against one Prometheus, through prometheus-api-client.

    `timeout_s` bounds each HTTP request; `retries` is how many times a connection error or a
    5xx answer is retried; `backoff_s` is the base of the exponential backoff.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 10.0,
        retries: int = 2,
        backoff_s: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self._sleep = sleep
        # Retry(total=False) turns urllib3's own retries off and lets errors through as they
        # are, so this class alone decides what is retried (the library's default would also
        # retry timeouts and hide the status code).
        self._connect = PrometheusConnect(
            url=self.url,
            retry=Retry(total=False),
            timeout=timeout_s,  # type: ignore[arg-type]
        )

    def query(self, query: str, at: datetime) -> list[Sample]:
        """The instant vector `query` evaluates to at time `at`; [] for an empty answer."""
        # The server-side timeout too, so Prometheus stops work nobody waits for any more.
        timeout_ms = max(int(self.timeout_s * 1000), 1)
        params = {"time": f"{at.timestamp():.3f}", "timeout": f"{timeout_ms}ms"}
        result = self._with_retries(query, lambda: self._connect.custom_query(query, params=params))
        if result is None:
            return []
        try:
            return parse_vector(result)
        except ValueError as exc:
            raise PrometheusError(query, f"unexpected answer: {exc}") from exc

    def query_range(
        self, query: str, start: datetime, end: datetime, step_s: float
    ) -> dict[float, list[Sample]]:
        """`query` evaluated at every `step_s` from `start` to `end`, as {unix time: vector}.

        One request answers what would take one instant query per step: the backfill's way.
        """
        timeout_ms = max(int(self.timeout_s * 1000), 1)
        params = {"timeout": f"{timeout_ms}ms"}
        result = self._with_retries(
            query,
            lambda: self._connect.custom_query_range(
                query, start_time=start, end_time=end, step=f"{step_s:g}s", params=params
            ),
        )
        try:
            return parse_matrix(result or [])
        except ValueError as exc:
            raise PrometheusError(query, f"unexpected answer: {exc}") from exc

    def metric_names(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> frozenset[str]:
        """The metric names Prometheus knows (label values of `__name__`), optionally only
        those with series between `start` and `end`."""
        params = {}
        if start is not None:
            params["start"] = f"{start.timestamp():.3f}"
        if end is not None:
            params["end"] = f"{end.timestamp():.3f}"
        data = self._with_retries(
            "label_values(__name__)",
            lambda: self._connect.get_label_values("__name__", params=params or None),
        )
        return parse_names(data or [])

    def _with_retries(self, query: str, call: Callable[[], Any]) -> Any:
        """Run `call`, retrying connection errors and 5xx; every failure as a PrometheusError."""
        attempt = 0
        while True:
            try:
                return call()
            except requests.Timeout as exc:
                raise PrometheusError(query, f"timed out after {self.timeout_s:g}s") from exc
            except (requests.ConnectionError, urllib3.exceptions.HTTPError) as exc:
                error = PrometheusError(query, f"cannot connect to {self.url}: {_root(exc)}")
            except PrometheusApiClientException as exc:
                error = _status_error(query, exc)
                if error.status is not None and error.status < 500:
                    raise error from exc
            except (requests.RequestException, ValueError) as exc:
                raise PrometheusError(query, f"bad answer: {exc}") from exc
            if attempt >= self.retries:
                raise error
            self._sleep(self._backoff(attempt))
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        """Full jitter: a random wait in [0, base × 2^attempt]."""
        return random.uniform(0.0, self.backoff_s * (2**attempt))


def _status_error(query: str, exc: PrometheusApiClientException) -> PrometheusError:
    """The library reports HTTP errors only as text ("HTTP Status Code 400 (b'...')")."""
    text = str(exc)
    match = _STATUS.search(text)
    status = int(match.group(1)) if match else None
    return PrometheusError(query, text[:300], status=status)


def _root(exc: BaseException) -> str:
    """The innermost cause, which says what actually went wrong (refused, reset, DNS)."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return f"{type(exc).__name__}: {str(exc)[:200]}"
