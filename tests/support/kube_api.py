"""A small, faithful Kubernetes list/watch API server for tests.

Why not kmock: 0.8 has no resourceVersion, pagination or selectors and answers 500 to
/api/v1/namespaces (DESIGN.md §5). This server keeps what an informer depends on:

- one cluster-wide resourceVersion counter (etcd's revision): every write bumps it, each
  object carries the RV of its last write, a list carries the RV it was read at;
- `limit`/`continue` pagination over a snapshot taken at the first page, as etcd reads at
  the list's RV; a continue token older than the compaction point answers 410;
- `watch=true` from a resourceVersion: the history after it, then live events, one JSON
  object per line in a chunked response; BOOKMARK events when `allowWatchBookmarks`; the
  stream ends after `timeoutSeconds`; an RV older than the compacted history gets an
  ERROR event with code 410, as the real API server sends it;
- discovery: /api, /apis, /apis/GROUP/VERSION for the registered resources;
- scriptable faults: `compact()` (open watches end with ERROR 410, old RVs are gone),
  `fail_next()` (HTTP 500 with a Status body), `hang_next()` (accept, never answer), and
  `stop()` then a new server on the same port (a restart with changed objects).

Loopback only, on a free port, in daemon threads; start and stop it from fixtures.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Resource:
    """An API resource the server serves."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


CORE = (
    Resource("", "v1", "namespaces", "Namespace", False),
    Resource("", "v1", "nodes", "Node", False),
    Resource("", "v1", "pods", "Pod"),
    Resource("", "v1", "services", "Service"),
    Resource("", "v1", "configmaps", "ConfigMap"),
    Resource("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice"),
    Resource("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy"),
    Resource("networking.k8s.io", "v1", "ingresses", "Ingress"),
    Resource("apps", "v1", "replicasets", "ReplicaSet"),
    Resource("apps", "v1", "deployments", "Deployment"),
    Resource("apps", "v1", "statefulsets", "StatefulSet"),
    Resource("apps", "v1", "daemonsets", "DaemonSet"),
    Resource("batch", "v1", "jobs", "Job"),
    Resource("batch", "v1", "cronjobs", "CronJob"),
)


@dataclass
class _Event:
    rv: int
    resource: Resource
    type: str
    obj: dict[str, Any]


@dataclass
class _State:
    rv: int
    compacted_rv: int  # watches from an RV below this get 410
    objects: dict[Resource, dict[str, dict[str, Any]]] = field(default_factory=dict)
    history: list[_Event] = field(default_factory=list)
    snapshots: dict[str, tuple[int, list[dict[str, Any]]]] = field(default_factory=dict)


class KubeAPI:
    """The server. `resources` are served; objects are added with `apply`."""

    def __init__(
        self,
        resources: tuple[Resource, ...] = CORE,
        port: int = 0,
        start_rv: int = 1000,
        bookmark_interval_s: float = 0.5,
    ) -> None:
        self.resources = resources
        self.bookmark_interval_s = bookmark_interval_s
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, query) of every GET
        self.request_times: list[float] = []  # time.monotonic() of every GET
        self._state = _State(rv=start_rv, compacted_rv=start_rv)
        self._cond = threading.Condition()
        self._closing = threading.Event()
        self._faults: list[tuple[str, str, int]] = []  # (action, "list"/"watch"/"", status)
        self._watch_epoch = 0  # bumped by compact(): open watches then end with 410
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.api = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- lifecycle ---------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def resource_version(self) -> int:
        with self._cond:
            return self._state.rv

    def start(self) -> KubeAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Kill the server: open watches and hung requests are cut, the port is freed."""
        self._closing.set()
        with self._cond:
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()

    # --- objects -----------------------------------------------------------------------

    def resource_for(self, obj: dict[str, Any]) -> Resource:
        for res in self.resources:
            if res.kind == obj.get("kind") and res.api_version == obj.get("apiVersion"):
                return res
        raise KeyError(f"{obj.get('apiVersion')} {obj.get('kind')} is not served")

    def apply(self, *objs: dict[str, Any]) -> int:
        """Create or replace objects (each write bumps the RV); returns the last RV."""
        with self._cond:
            for obj in objs:
                res = self.resource_for(obj)
                obj = json.loads(json.dumps(obj))
                key = _key(obj)
                store = self._state.objects.setdefault(res, {})
                kind = "MODIFIED" if key in store else "ADDED"
                self._write(res, kind, key, obj)
            return self._state.rv

    def delete(self, api_version: str, kind: str, namespace: str, name: str) -> int:
        """Delete an object; returns the new RV."""
        with self._cond:
            res = self.resource_for({"apiVersion": api_version, "kind": kind})
            key = f"{namespace}/{name}" if namespace else name
            obj = self._state.objects.get(res, {}).get(key)
            if obj is not None:
                self._write(res, "DELETED", key, json.loads(json.dumps(obj)))
            return self._state.rv

    def _write(self, res: Resource, kind: str, key: str, obj: dict[str, Any]) -> None:
        self._state.rv += 1
        obj.setdefault("metadata", {})["resourceVersion"] = str(self._state.rv)
        store = self._state.objects.setdefault(res, {})
        if kind == "DELETED":
            store.pop(key, None)
        else:
            store[key] = obj
        self._state.history.append(_Event(self._state.rv, res, kind, obj))
        self._cond.notify_all()

    def objects(self, res: Resource) -> dict[str, dict[str, Any]]:
        with self._cond:
            return dict(self._state.objects.get(res, {}))

    # --- faults ------------------------------------------------------------------------

    def compact(self) -> None:
        """Forget the history (etcd compaction) past every RV handed out so far: open watches
        get ERROR 410 and end, and so does a watch that reconnects in between, whatever RV it
        brings (the store's RV moves on, as etcd's revision does with writes elsewhere)."""
        with self._cond:
            self._state.rv += 1
            self._state.compacted_rv = self._state.rv + 1
            self._state.history.clear()
            self._state.snapshots.clear()
            self._watch_epoch += 1
            self._cond.notify_all()

    def fail_next(self, count: int = 1, what: str = "", status: int = 500) -> None:
        """The next `count` list ("list"), watch ("watch") or any ("") requests fail."""
        with self._cond:
            self._faults.extend([("fail", what, status)] * count)

    def hang_next(self, count: int = 1, what: str = "") -> None:
        """The next `count` matching requests are accepted and never answered."""
        with self._cond:
            self._faults.extend([("hang", what, 0)] * count)

    def _take_fault(self, what: str) -> tuple[str, int] | None:
        with self._cond:
            for i, (action, target, status) in enumerate(self._faults):
                if target in ("", what):
                    del self._faults[i]
                    return action, status
        return None

    # --- reading (called by the handler) -------------------------------------------------

    def find(self, parts: list[str]) -> tuple[Resource, str] | None:
        """(resource, namespace) for a list/watch path split on "/", or None."""
        if parts[:1] == ["api"]:
            group, version, rest = "", parts[1] if len(parts) > 1 else "", parts[2:]
        elif parts[:1] == ["apis"] and len(parts) > 2:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return None
        namespace = ""
        if len(rest) == 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if len(rest) != 1:
            return None
        for res in self.resources:
            if (res.group, res.version, res.plural) == (group, version, rest[0]):
                return res, namespace
        return None

    def list_page(self, res: Resource, namespace: str, limit: int, token: str) -> dict[str, Any]:
        """One page of a list, or raises _Gone when the continue token has expired."""
        with self._cond:
            if token:
                if token not in self._state.snapshots:
                    raise _Gone("The provided continue parameter is too old")
                rv, items = self._state.snapshots.pop(token)
            else:
                rv = self._state.rv
                store = self._state.objects.get(res, {})
                items = [store[k] for k in sorted(store) if _in_ns(store[k], namespace)]
            page, rest = (items[:limit], items[limit:]) if limit > 0 else (items, [])
            meta: dict[str, Any] = {"resourceVersion": str(rv)}
            if rest:
                next_token = base64.urlsafe_b64encode(
                    json.dumps(
                        {"rv": rv, "n": len(self._state.snapshots), "t": time.time()}
                    ).encode()
                ).decode()
                self._state.snapshots[next_token] = (rv, rest)
                meta["continue"] = next_token
                meta["remainingItemCount"] = len(rest)
            return {
                "kind": f"{res.kind}List",
                "apiVersion": res.api_version,
                "metadata": meta,
                "items": [json.loads(json.dumps(i)) for i in page],
            }

    def watch(self, res: Resource, namespace: str, rv: str, timeout_s: float, bookmarks: bool):
        """Yield watch events (dicts) until the timeout, a compaction or the server stops."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            epoch = self._watch_epoch
            if not rv or rv == "0":
                since = self._state.rv
                store = self._state.objects.get(res, {})
                initial = [store[k] for k in sorted(store) if _in_ns(store[k], namespace)]
                pending = [{"type": "ADDED", "object": o} for o in initial]
            else:
                since = int(rv) if rv.isdigit() else -1
                if since < self._state.compacted_rv - 1:
                    yield _gone_event(since)
                    return
                pending = []
        yield from pending
        last_bookmark = time.monotonic()
        while not self._closing.is_set() and time.monotonic() < deadline:
            with self._cond:
                if self._watch_epoch != epoch:
                    yield _gone_event(since)
                    return
                # `current` is read with the events, before any wait: a bookmark at an RV read
                # after the wait would skip the events that arrived during it.
                current = self._state.rv
                events = [e for e in self._state.history if e.rv > since and e.resource == res]
                if not events:
                    self._cond.wait(min(0.1, max(0.0, deadline - time.monotonic())))
            for event in events:
                since = event.rv
                if _in_ns(event.obj, namespace):
                    yield {"type": event.type, "object": event.obj}
            if bookmarks and time.monotonic() - last_bookmark >= self.bookmark_interval_s:
                last_bookmark = time.monotonic()
                since = max(since, current)
                yield _bookmark(res, current)


class _Gone(Exception):
    pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    api: KubeAPI


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass  # keep test output quiet

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        api = self.server.api
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        api.requests.append((url.path, query))
        api.request_times.append(time.monotonic())
        watching = query.get("watch") in ("true", "1")
        fault = api._take_fault("watch" if watching else "list")
        if fault and fault[0] == "hang":
            api._closing.wait()  # accept, read the request, never answer
            self.close_connection = True
            return
        if fault:
            return self._status(fault[1], "InternalError", "scripted failure")
        parts = [p for p in url.path.split("/") if p]
        if self._discovery(parts):
            return
        found = api.find(parts)
        if found is None:
            return self._status(404, "NotFound", f"the server could not find {url.path}")
        res, namespace = found
        if watching:
            return self._watch(res, namespace, query)
        try:
            body = api.list_page(
                res, namespace, int(query.get("limit", 0)), query.get("continue", "")
            )
        except _Gone as exc:
            return self._status(410, "Expired", str(exc))
        self._json(200, body)

    def _discovery(self, parts: list[str]) -> bool:
        api = self.server.api
        if parts == ["api"]:
            self._json(200, {"kind": "APIVersions", "versions": ["v1"]})
        elif parts == ["apis"]:
            self._json(200, _group_list(api.resources))
        elif len(parts) == 3 and parts[0] == "apis":
            served = [r for r in api.resources if (r.group, r.version) == (parts[1], parts[2])]
            if not served:
                self._status(404, "NotFound", "no such group version")
            else:
                self._json(200, _resource_list(parts[1], parts[2], served))
        else:
            return False
        return True

    def _watch(self, res: Resource, namespace: str, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        # The stream is the connection's last response: say so, or the client pools the
        # connection and its next request on it finds the socket closed under it.
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        timeout = float(query.get("timeoutSeconds", 60))
        bookmarks = query.get("allowWatchBookmarks") == "true"
        try:
            for event in self.server.api.watch(
                res, namespace, query.get("resourceVersion", ""), timeout, bookmarks
            ):
                line = json.dumps(event).encode() + b"\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
            if not self.server.api._closing.is_set():
                self.wfile.write(b"0\r\n\r\n")  # a clean end; a killed server just drops
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _json(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _status(self, code: int, reason: str, message: str) -> None:
        self._json(code, _status_body(code, reason, message))


def _key(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace") or ""
    return f"{ns}/{meta['name']}" if ns else str(meta["name"])


def _in_ns(obj: dict[str, Any], namespace: str) -> bool:
    return not namespace or (obj.get("metadata") or {}).get("namespace") == namespace


def _status_body(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


def _gone_event(rv: int) -> dict[str, Any]:
    message = f"too old resource version: {rv}"
    return {"type": "ERROR", "object": _status_body(410, "Expired", message)}


def _bookmark(res: Resource, rv: int) -> dict[str, Any]:
    return {
        "type": "BOOKMARK",
        "object": {
            "kind": res.kind,
            "apiVersion": res.api_version,
            "metadata": {"resourceVersion": str(rv)},
        },
    }


def _group_list(resources: tuple[Resource, ...]) -> dict[str, Any]:
    groups: dict[str, list[str]] = {}
    for res in resources:
        if res.group and res.version not in groups.setdefault(res.group, []):
            groups[res.group].append(res.version)
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [
            {
                "name": name,
                "versions": [{"groupVersion": f"{name}/{v}", "version": v} for v in versions],
                "preferredVersion": {
                    "groupVersion": f"{name}/{versions[0]}",
                    "version": versions[0],
                },
            }
            for name, versions in groups.items()
        ],
    }


def _resource_list(group: str, version: str, served: list[Resource]) -> dict[str, Any]:
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}",
        "resources": [
            {
                "name": r.plural,
                "namespaced": r.namespaced,
                "kind": r.kind,
                "verbs": ["list", "watch"],
            }
            for r in served
        ],
    }
