"""The OpenAPI description of bearer-token authentication (drf-spectacular)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "webapp.accounts.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer",
                "description": "An API token from `issue_token` or the UI: mw_<prefix>_<secret>."}


class InventoryNodeName(OpenApiSerializerExtension):
    """The inventory's Kubernetes Node is `InventoryNode`: the graph has a `Node` already."""

    target_class = "webapp.inventory.api.serializers.NodeSerializer"

    def get_name(self, auto_schema: Any = None, direction: Any = None) -> str:
        return "InventoryNode"

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        return auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
