"""DNS telemetry collectors: CoreDNS through Prometheus (coredns.py)."""
