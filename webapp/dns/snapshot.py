"""The DNS view for a request: the one place that reads the database for it (REST and live)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings

from webapp.dns.builders import build_dns
from webapp.dns.options import DnsOptions
from webapp.dns.queries import latency_columns, window_dns
from webapp.inventory.queries import current_inventory
from webapp.traffic.heatmap import HeatmapOptions, build_heatmap
from webapp.traffic.queries import latest_cycle_at


def dns_snapshot(options: DnsOptions, now: datetime | None = None) -> dict[str, Any]:
    """The DNS view over the window ending at `options.at` or the latest cycle.

    The latency heatmap covers the same window (one column per step, default window/60, at
    least one cycle), built by the traffic heatmap builder so both read alike.
    """
    generated_at = now or datetime.now(UTC)
    end = options.at or latest_cycle_at() or generated_at
    start = end - timedelta(seconds=options.window_s)
    window = window_dns(start, end, options.server, options.zone)
    heat_options = HeatmapOptions(
        None, None, options.window_s, options.window_text, options.step_s, options.at
    )
    columns = heat_options.columns(end, settings.MESHWATCH_INTERVAL_S)
    heatmap = build_heatmap(
        heat_options, columns, latency_columns(columns, options.server, options.zone), generated_at
    )
    return build_dns(window, current_inventory().pods, options, heatmap, generated_at)
