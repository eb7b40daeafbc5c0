"""Template context every page gets: the auth mode, so each page can say when it is open."""

from django.conf import settings
from django.http import HttpRequest


def meshwatch(request: HttpRequest) -> dict[str, object]:
    """`meshwatch_anonymous` is true in the demo's read-only, no-login mode;
    `meshwatch_backfill` is the progress of a history backfill while one runs."""
    from webapp.traffic.status import backfill_in_progress

    return {
        "meshwatch_anonymous": settings.MESHWATCH_AUTH == "anonymous",
        "meshwatch_cluster": settings.MESHWATCH_CLUSTER_NAME,
        "meshwatch_backfill": backfill_in_progress(),
    }
