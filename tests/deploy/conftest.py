"""The deploy tests' real processes (tests/deploy/processes.py) as fixtures."""

from tests.deploy.processes import migrated_db, mw_env, processes, receiver  # noqa: F401
