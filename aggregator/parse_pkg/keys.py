"""Entry keys: what makes an entry the same entry from one fetch to the next."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace

from aggregator.models import ParsedEntry


def entry_key(guid: str | None, link: str | None, title: str | None,
              date: str | None, feed_url: str) -> str:
    """The entry's stable key in its feed: the guid/id, else the link, else a hash."""
    if guid:
        return guid
    if link:
        return link
    digest = hashlib.sha256("\x1f".join((title or "", date or "", feed_url)).encode())
    return "sha256:" + digest.hexdigest()[:32]


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
