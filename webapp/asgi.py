"""The ASGI entry point: `daphne webapp.asgi:application`.

HTTP goes to Django; websockets pass the origin check, then authentication (session cookie or
API token), then the router (STYLE.md: AllowedHostsOriginValidator(Auth(URLRouter(...)))).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from webapp.live.auth import LiveAuthMiddlewareStack  # noqa: E402
from webapp.live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            LiveAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
