"""Security headers on every page and a clean `check --deploy` with production settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "MESHWATCH_SECRET_KEY": "x7Kq9-production-like-secret-key-of-more-than-fifty-characters-zP4w",
    "MESHWATCH_SECURE_COOKIES": "true",
    "MESHWATCH_HSTS_SECONDS": "31536000",
    "MESHWATCH_SSL_REDIRECT": "true",
    "MESHWATCH_ALLOWED_HOSTS": "meshwatch.example.org",
    "MESHWATCH_DEBUG": "false",
}


def test_check_deploy_is_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESHWATCH_")}
    env.update(PRODUCTION)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_hsts_and_redirect_follow_the_environment():
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESHWATCH_")}
    env.update(PRODUCTION, MESHWATCH_PROXY_SSL_HEADER="true")
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)")
    env["DJANGO_SETTINGS_MODULE"] = "webapp.settings"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=60, check=True).stdout.split(maxsplit=2)
    assert out[:2] == ["31536000", "True"]
    assert "HTTP_X_FORWARDED_PROTO" in out[2] and out[2].split()[-3:] == ["True", "True", "True"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/login/", "/graph/", "/api/v1/status", "/healthz"])
def test_every_response_carries_the_security_headers(client, alice, path, settings):
    client.force_login(alice)
    response = client.get(path)
    assert response.status_code < 500
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                      "img-src 'self' data: blob:", "connect-src 'self' ws: wss:",
                      "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_templates_need_no_inline_script_or_style():
    import re

    for template in (REPO / "webapp").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text), \
            template
        assert "<style" not in text and " style=" not in text, template
        assert not re.search(r"\son[a-z]+=", text), template  # inline event handlers
