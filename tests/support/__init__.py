"""Helpers shared by tests: harnesses for real components (e.g. a real Prometheus)."""
