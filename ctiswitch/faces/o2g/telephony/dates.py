"""O2G's dateTime: UTC ``yyyy-MM-ddTHH:mm:ss.SSSZ`` (o2g.md §1.7)."""
from __future__ import annotations

from datetime import UTC, datetime


def iso_date(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_date(text: str) -> float | None:
    """An O2G date query parameter as epoch seconds; None if unreadable.
    Java's ``Instant.toString()`` drops zero milliseconds, so both forms
    are read (o2g-wire.md §3.6)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
