"""Building the official client, and the thin raw-JSON transport the informers use.

Configuration comes from, in order: an explicit kubeconfig path, in-cluster service-account
config (when asked, or when running in a pod and no KUBECONFIG is set), or the default
kubeconfig (`KUBECONFIG`, then ~/.kube/config). Every request carries a timeout: the client
library has none by default, and a hung API server must not hang the watcher.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException
from kubernetes.config import incluster_config, kube_config

SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait: to connect, and for each read of a list or discovery response."""

    connect_s: float = 5.0
    read_s: float = 30.0


def load_configuration(
    kubeconfig: str | None = None,
    context: str | None = None,
    in_cluster: bool | None = None,
    environ: Mapping[str, str] = os.environ,
    service_account_dir: str = SERVICE_ACCOUNT_DIR,
) -> k8s.Configuration:
    """A client Configuration from a kubeconfig file or the pod's service account.

    `in_cluster=None` means: in-cluster when KUBERNETES_SERVICE_HOST is set and neither
    `kubeconfig` nor KUBECONFIG is, as client-go's default loading rules do.
    """
    config = _no_retries(k8s.Configuration())
    if in_cluster is None:
        in_cluster = (
            not kubeconfig
            and not environ.get("KUBECONFIG")
            and "KUBERNETES_SERVICE_HOST" in environ
        )
    if in_cluster:
        incluster_config.InClusterConfigLoader(
            token_filename=os.path.join(service_account_dir, "token"),
            cert_filename=os.path.join(service_account_dir, "ca.crt"),
            environ=environ,
        ).load_and_set(config)
        return config
    path = kubeconfig or _first_kubeconfig(environ)
    kube_config.load_kube_config(
        config_file=path, context=context, client_configuration=config, persist_config=False
    )
    return config


def _no_retries(config: k8s.Configuration) -> k8s.Configuration:
    # urllib3 retries each request three times by default, silently: a hung server would
    # cost four read timeouts per attempt, and errors would reach the informer late. The
    # informers own retrying, with backoff and staleness reporting.
    config.retries = 0
    return config


def _first_kubeconfig(environ: Mapping[str, str]) -> str:
    # KUBECONFIG may list several files; the client library reads one, so take the first.
    listed = [p for p in environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    return listed[0] if listed else os.path.expanduser(kube_config.KUBE_CONFIG_DEFAULT_LOCATION)


def build_api_client(
    kubeconfig: str | None = None, context: str | None = None, in_cluster: bool | None = None
) -> k8s.ApiClient:
    """An ApiClient configured as `load_configuration` says."""
    return k8s.ApiClient(load_configuration(kubeconfig, context, in_cluster))


def api_client_for_host(host: str, token: str = "") -> k8s.ApiClient:
    """An ApiClient for a plain URL (test servers, `kubectl proxy`)."""
    config = _no_retries(k8s.Configuration(host=host))
    if token:
        config.api_key = {"BearerToken": token}
        config.api_key_prefix = {"BearerToken": "Bearer"}
    return k8s.ApiClient(config)


class Transport:
    """GETs through the official ApiClient, returning raw JSON rather than models.

    The client's model deserialization is slow for thousands of pods, and the parsers
    want the dicts anyway. Errors are the client's own: ApiException (HTTP status),
    urllib3 errors (connection, timeouts).
    """

    def __init__(self, api_client: k8s.ApiClient, timeouts: Timeouts | None = None) -> None:
        self.api_client = api_client
        self.timeouts = timeouts or Timeouts()

    def _request(self, path: str, query: list[tuple[str, Any]], read_s: float) -> Any:
        params = self.api_client.param_serialize(
            method="GET",
            resource_path=path,
            query_params=query,
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        response = self.api_client.call_api(
            *params, _request_timeout=(self.timeouts.connect_s, read_s)
        )
        if not 200 <= response.status <= 299:
            response.read()
            response.response.release_conn()
            raise ApiException(http_resp=response)
        return response

    def get_json(self, path: str, query: list[tuple[str, Any]] | None = None) -> Any:
        """GET `path` and decode the JSON body."""
        response = self._request(path, query or [], self.timeouts.read_s)
        return json.loads(response.read())

    def stream(self, path: str, query: list[tuple[str, Any]], read_s: float) -> StreamedResponse:
        """GET `path` and hand back the open response for line-by-line reading."""
        return StreamedResponse(self._request(path, query, read_s).response)


class StreamedResponse:
    """A chunked watch response read line by line; `shutdown` interrupts a blocked read."""

    def __init__(self, response: Any) -> None:
        self._response = response

    def lines(self) -> Iterator[tuple[bytes, bool]]:
        """Yield (line, more_buffered): more_buffered is True when further lines were
        already received, so callers can batch what arrived together."""
        pending = b""
        for chunk in self._response.stream(amt=None, decode_content=False):
            pending += chunk
            parts = pending.split(b"\n")
            pending = parts.pop()
            complete = [p for p in parts if p.strip()]
            for i, line in enumerate(complete):
                yield line, i < len(complete) - 1
        if pending.strip():
            yield pending, False

    def shutdown(self) -> None:
        """Interrupt a read blocked in another thread, then drop the connection."""
        # Best effort: the reading thread sees the resulting error and stops anyway.
        with contextlib.suppress(Exception):
            self._response.shutdown()

    def close(self) -> None:
        """Release the connection (it is not reused after a watch)."""
        with contextlib.suppress(Exception):
            self._response.close()
            self._response.release_conn()
