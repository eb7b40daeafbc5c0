"""Each page tells its script what "all namespaces" means for the viewer."""

import json
import re

import pytest

from tests.conftest import grant_namespaces

pytestmark = pytest.mark.django_db


def _config(client) -> dict:
    html = client.get("/").content.decode()
    match = re.search(r'<script id="meshwatch-config" type="application/json">(.*?)</script>', html)
    assert match, "the page carries its config as json_script"
    return json.loads(match.group(1))


def test_a_limited_viewer_gets_the_namespaces_to_subscribe_with(client, bob):
    grant_namespaces(bob, "bookinfo", "shop")
    client.force_login(bob)
    assert _config(client)["visible_namespaces"] == ["bookinfo", "shop"]


def test_an_admin_sees_all(client, alice):
    client.force_login(alice)
    assert _config(client)["visible_namespaces"] is None
