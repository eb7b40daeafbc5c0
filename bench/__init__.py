"""meshwatch's benchmark harness (issue: the benchmark harness); figures as ratios to floors."""
