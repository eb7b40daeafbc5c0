from datetime import UTC, datetime

import pytest

from webapp.timeparse import parse_time


def test_unix_seconds_and_iso_agree():
    expected = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    assert parse_time("1793628000") == expected
    assert parse_time("2026-11-02T14:00:00Z") == expected
    assert parse_time("2026-11-02T15:00:00+01:00") == expected
    assert parse_time("2026-11-02T14:00:00") == expected  # naive means UTC


@pytest.mark.parametrize("bad", ["", "yesterday", "1e40", "2026-13-01"])
def test_bad_times_are_rejected(bad):
    with pytest.raises(ValueError):
        parse_time(bad)
