"""Inventory routes: list at `<resource>`, detail at `<resource>/<namespace>/<name>`."""

from __future__ import annotations

from django.urls import path

from webapp.inventory.api import views

LIST = {"get": "list"}
DETAIL = {"get": "retrieve"}
NAMESPACED = (
    ("workloads", views.WorkloadViewSet),
    ("pods", views.PodViewSet),
    ("services", views.ServiceViewSet),
    ("network-policies", views.NetworkPolicyViewSet),
)

urlpatterns = [
    path("namespaces", views.NamespaceViewSet.as_view(LIST), name="namespace-list"),
    path("namespaces/<str:name>", views.NamespaceViewSet.as_view(DETAIL), name="namespace-detail"),
    path("nodes", views.NodeViewSet.as_view(LIST), name="node-list"),
    path("nodes/<str:name>", views.NodeViewSet.as_view(DETAIL), name="node-detail"),
    *[
        route
        for prefix, viewset in NAMESPACED
        for route in (
            path(prefix, viewset.as_view(LIST), name=f"{prefix}-list"),
            path(
                f"{prefix}/<str:namespace>/<str:name>",
                viewset.as_view(DETAIL),
                name=f"{prefix}-detail",
            ),
        )
    ],
    path("mesh-policies", views.MeshPolicyViewSet.as_view(LIST), name="mesh-policies-list"),
    path(
        "mesh-policies/<str:namespace>/<str:kind>/<str:name>",
        views.MeshPolicyViewSet.as_view(DETAIL),
        name="mesh-policies-detail",
    ),
    path("cluster", views.ClusterView.as_view(), name="cluster"),
]
