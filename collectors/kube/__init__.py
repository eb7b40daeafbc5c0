"""The Kubernetes collector: client construction, parsing of API objects, informers, facts.

Network I/O lives in `client.py`, `discovery.py` and `informer.py`; everything under `parse/`,
`facts.py` and `inventory.py` is pure and tested on recorded API objects.
"""
