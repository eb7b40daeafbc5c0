"""The environment helpers fail loudly, naming the variable."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from webapp import env


def test_bool_accepts_the_usual_words(monkeypatch):
    for word, expected in [("true", True), ("YES", True), ("0", False), ("off", False)]:
        monkeypatch.setenv("MW_TEST", word)
        assert env.env_bool("MW_TEST") is expected


def test_bool_rejects_anything_else(monkeypatch):
    monkeypatch.setenv("MW_TEST", "maybe")
    with pytest.raises(ImproperlyConfigured, match="MW_TEST='maybe' is not a boolean"):
        env.env_bool("MW_TEST")


def test_int_rejects_text_and_below_minimum(monkeypatch):
    monkeypatch.setenv("MW_TEST", "ten")
    with pytest.raises(ImproperlyConfigured, match="MW_TEST"):
        env.env_int("MW_TEST", 1)
    monkeypatch.setenv("MW_TEST", "-1")
    with pytest.raises(ImproperlyConfigured, match="minimum"):
        env.env_int("MW_TEST", 1, minimum=0)


def test_duration_parses_prometheus_style(monkeypatch):
    assert env.parse_duration("30s") == 30
    assert env.parse_duration("5m") == 300
    assert env.parse_duration("1h") == 3600
    assert env.parse_duration("7d") == 7 * 86400
    monkeypatch.setenv("MW_TEST", "15")
    with pytest.raises(ImproperlyConfigured, match="not a duration"):
        env.env_duration("MW_TEST", "15s")


def test_secret_reads_the_file_variant(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("MW_TEST_FILE", str(secret))
    monkeypatch.setenv("MW_TEST", "ignored")
    assert env.env_secret("MW_TEST") == "s3cret"


def test_secret_file_that_cannot_be_read_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("MW_TEST_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="MW_TEST_FILE"):
        env.env_secret("MW_TEST")


def test_choice_lists_the_choices(monkeypatch):
    monkeypatch.setenv("MW_TEST", "ldap")
    with pytest.raises(ImproperlyConfigured, match="login, anonymous"):
        env.env_choice("MW_TEST", "login", ("login", "anonymous"))
