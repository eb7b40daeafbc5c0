"""The auth settings' start-up checks: anonymous needs meaning it, header mode needs proxies."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from webapp.accounts.config import check_auth_mode, header_meta_key, parse_networks, parse_rate

REPO = Path(__file__).resolve().parents[2]
PROXIES = (ipaddress.ip_network("10.0.0.0/8"),)


def _check(mode: str, **overrides) -> None:
    options = {"debug": False, "allow_anonymous": False, "trusted_proxies": (), "command": ""}
    check_auth_mode(mode, **{**options, **overrides})


def test_anonymous_is_refused_unless_meant():
    with pytest.raises(ImproperlyConfigured, match="MESHWATCH_ALLOW_ANONYMOUS"):
        _check("anonymous")
    _check("anonymous", debug=True)
    _check("anonymous", allow_anonymous=True)
    _check("anonymous", command="demo")  # binds 127.0.0.1 only
    _check("login")


def test_header_mode_needs_trusted_proxies():
    with pytest.raises(ImproperlyConfigured, match="MESHWATCH_AUTH_TRUSTED_PROXIES"):
        _check("header")
    with pytest.raises(ImproperlyConfigured):
        _check("header", debug=True)  # not even in debug: it would trust anyone
    _check("header", trusted_proxies=PROXIES)


def test_the_parsers_name_the_bad_value():
    assert parse_networks("V", ["10.0.0.0/8", "192.168.1.7", "fd00::/8"])[1].num_addresses == 1
    with pytest.raises(ImproperlyConfigured, match="'10.0.0/33'"):
        parse_networks("V", ["10.0.0/33"])
    assert header_meta_key("V", "X-Forwarded-User") == "HTTP_X_FORWARDED_USER"
    for bad in ("", "X Forwarded", "X-User\r\n"):
        with pytest.raises(ImproperlyConfigured):
            header_meta_key("V", bad)
    assert parse_rate("V", "10/5m") == (10, 300.0)
    assert parse_rate("V", "3/30s") == (3, 30.0)
    for bad in ("10", "0/5m", "ten/5m", "10/5d", "10/0s"):
        with pytest.raises(ImproperlyConfigured):
            parse_rate("V", bad)


def _settings_in_subprocess(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MESHWATCH_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="webapp.settings")
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.MESHWATCH_AUTH)")
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=clean,
                          capture_output=True, text=True, timeout=60)


def test_the_process_refuses_to_start_with_a_dangerous_auth_setting():
    refused = _settings_in_subprocess(MESHWATCH_AUTH="anonymous")
    assert refused.returncode != 0 and "MESHWATCH_ALLOW_ANONYMOUS" in refused.stderr
    allowed = _settings_in_subprocess(MESHWATCH_AUTH="anonymous", MESHWATCH_ALLOW_ANONYMOUS="1")
    assert allowed.returncode == 0 and allowed.stdout.strip() == "anonymous"
    header = _settings_in_subprocess(MESHWATCH_AUTH="header")
    assert header.returncode != 0 and "MESHWATCH_AUTH_TRUSTED_PROXIES" in header.stderr
    ok = _settings_in_subprocess(MESHWATCH_AUTH="header",
                                 MESHWATCH_AUTH_TRUSTED_PROXIES="10.0.0.0/8")
    assert ok.returncode == 0 and ok.stdout.strip() == "header"
