"""`/api/v1/insights`: filled in by the insights API."""

urlpatterns: list = []
