"""The watcher: informers → mirror → database batches → live deltas (see runner.py)."""
