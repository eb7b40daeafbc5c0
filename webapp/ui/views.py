"""Page views. Each only renders: login is enforced by the accounts middleware, and the data
arrives over the websocket, so no view here queries domain data."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from webapp.graph.options import GRAPH_TYPES

# Choices of the graph page's toolbar: (value, label). The value is the websocket param.
GRAPH_TYPE_LABELS = {
    "workload": "Workload graph",
    "app": "App graph",
    "versioned_app": "Versioned app graph",
    "service": "Service graph",
}
EDGE_LABEL_MODES = [
    ("rps", "Requests per second"),
    ("p95", "p95 latency (ms)"),
    ("error", "Error %"),
    ("mtls", "mTLS %"),
    ("none", "No edge labels"),
]


def graph_page(request: HttpRequest) -> HttpResponse:
    """The live service graph; the page script subscribes to the `graph` topic."""
    config = {"ws_path": "/ws/v1/live"}
    context = {
        "config": config,
        "graph_types": [(t, GRAPH_TYPE_LABELS.get(t, t)) for t in GRAPH_TYPES],
        "label_modes": EDGE_LABEL_MODES,
    }
    return render(request, "ui/graph.html", context)
