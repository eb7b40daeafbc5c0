"""The websocket routes: one socket per client at /ws/v1/live (DESIGN.md §3)."""

from django.urls import path

from webapp.live.consumers import LiveConsumer

websocket_urlpatterns = [
    path("ws/v1/live", LiveConsumer.as_asgi()),
]
