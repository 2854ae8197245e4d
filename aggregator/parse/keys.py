"""Entry keys: what makes an entry the same entry from one fetch to the next."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from aggregator.models import ParsedEntry, entry_key

__all__ = ["entry_key", "unique_keys"]




def unique_keys(entries: Iterable[ParsedEntry]) -> tuple[ParsedEntry, ...]:
    """Entries with keys made unique in the document: a repeated guid gets +link or +position.

    Keeping the first entry on its plain key means a feed that later fixes its
    ids does not turn its first entry into a new one.
    """
    seen: set[str] = set()
    result = []
    for position, entry in enumerate(entries):
        key = entry.key
        if key in seen:
            key = f"{entry.key}#{entry.url}" if entry.url else f"{entry.key}#{position}"
            if key in seen:
                key = f"{entry.key}#{position}"
        seen.add(key)
        result.append(entry if key == entry.key else replace(entry, key=key))
    return tuple(result)
