"""`/api/v1/docs/`: Swagger UI over the OpenAPI document, from local static files.

The split view serves its start-up script as a file of its own (`?script`), so the page
needs no inline script; the template drops drf-spectacular's inline `<style>` for a static
stylesheet. Both keep the site's strict Content-Security-Policy intact. Like every page, it
asks for a login first (in `anonymous` mode it is open, read-only like the rest).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response

from webapp.api.problems import PROBLEM_JSON, exception_handler


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI; an anonymous visitor is sent to the login page rather than a 401."""

    template_name = "api/swagger_ui.html"
    title = "meshwatch API"
    http_method_names = ["get", "head"]  # a page: OPTIONS would render no template

    def handle_exception(self, exc: Exception) -> Response | HttpResponse:
        if isinstance(exc, NotAuthenticated):
            return redirect_to_login(self.request.get_full_path(), settings.LOGIN_URL)
        # The page's renderer draws templates; an error is a problem document in JSON.
        answer = exception_handler(exc, self.get_exception_handler_context())
        return JsonResponse(answer.data, status=answer.status_code, content_type=PROBLEM_JSON,
                            headers={k: v for k, v in answer.headers.items()
                                     if k.lower() != "content-type"})
