"""The SSRF guard: refused addresses never get a connection, at creation or at attempt time."""

from __future__ import annotations

import ipaddress

import pytest

from webapp.alerts import http, ssrf


@pytest.mark.parametrize("url, reason", [
    ("http://127.0.0.2:8080/hook", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://10.1.2.3/hook", "private"),
    ("http://192.168.0.10/hook", "private"),
    ("http://[::1]:8080/hook", "loopback"),
    ("http://[fe80::1]/hook", "link-local"),
    ("http://[fd00::5]/hook", "private"),
    ("http://[::ffff:127.0.0.2]/hook", "loopback"),
    ("http://0.0.0.0/hook", "private"),
])
def test_internal_addresses_are_refused(url, reason):
    with pytest.raises(ssrf.RefusedURL, match=reason):
        ssrf.check_url(url)


def test_only_the_allowed_address_passes():
    assert str(ssrf.check_url("http://127.0.0.1:9/x?y=1").address) == "127.0.0.1"
    assert ssrf.check_url("http://127.0.0.1:9/x?y=1").path == "/x?y=1"


@pytest.mark.parametrize("url", ["ftp://example.com/", "file:///etc/passwd", "http:///x",
                                 "http://user:pw@example.com/", "gopher://127.0.0.1/"])
def test_only_http_urls_with_a_host_are_accepted(url):
    with pytest.raises(ssrf.RefusedURL):
        ssrf.split_url(url)


def test_a_name_resolving_to_loopback_is_refused(settings):
    settings.MESHWATCH_WEBHOOK_ALLOW = []
    with pytest.raises(ssrf.RefusedURL, match="loopback"):
        ssrf.check_url("http://localhost:8080/hook")


def test_every_resolved_address_must_pass(monkeypatch):
    # A name that mixes a public and a private address is refused as a whole.
    monkeypatch.setattr(ssrf, "resolve", lambda host, port: [
        ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.0.0.5")])
    with pytest.raises(ssrf.RefusedURL, match="10.0.0.5"):
        ssrf.check_url("http://rebinding.example/hook")


def test_an_attempt_to_a_refused_address_is_recorded_without_connecting():
    outcome = http.post("http://169.254.169.254/", b"{}", {}, 0.5)
    assert not outcome.ok and outcome.error.startswith("refused:")
    assert outcome.status_code is None


def test_the_connection_goes_to_the_checked_address(monkeypatch, serve):
    # DNS answers differently after the check: the request still goes to the checked IP.
    hook = serve()
    port = hook.server.server_address[1]
    answers = iter([[ipaddress.ip_address("127.0.0.1")]])
    monkeypatch.setattr(ssrf, "resolve", lambda host, p: next(answers))
    outcome = http.post(f"http://receiver.example:{port}/hook", b"{}", {}, 0.5)
    assert outcome.ok and hook.received[0].headers["Host"] == f"receiver.example:{port}"


def test_redirects_are_not_followed(monkeypatch):
    import requests

    seen = {}

    def fake_post(self, url, **kwargs):
        seen.update(kwargs)
        raise requests.ConnectionError("stop")

    monkeypatch.setattr(requests.Session, "post", fake_post)
    http.post("http://127.0.0.1:9/", b"{}", {}, 0.5)
    assert seen["allow_redirects"] is False and seen["timeout"] == (0.5, 0.5)
