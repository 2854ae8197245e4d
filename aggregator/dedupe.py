"""Pure decisions about incoming entries: new, changed or the same as stored.

No I/O here: the pipeline hands in what the store knows (each stored key's
content hash) and gets back what to write.  Keeping the decision apart from
SQL makes it testable with plain data and keeps the store dumb.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aggregator.models import ParsedEntry


@dataclass(frozen=True, slots=True)
class EntryDecisions:
    """The entries of one fetch, split by what the store must do with them."""

    new: tuple[tuple[ParsedEntry, str], ...]  # (entry, content hash)
    changed: tuple[tuple[ParsedEntry, str], ...]
    same: int


def decide(entries: Iterable[ParsedEntry], stored: Mapping[str, str]) -> EntryDecisions:
    """Split ``entries`` against ``stored`` (entry key -> content hash).

    Unchanged entries are not touched at all, so a re-served feed costs no writes.
    """
    new: list[tuple[ParsedEntry, str]] = []
    changed: list[tuple[ParsedEntry, str]] = []
    same = 0
    for entry in entries:
        digest = entry.content_hash()
        known = stored.get(entry.key)
        if known is None:
            new.append((entry, digest))
        elif known != digest:
            changed.append((entry, digest))
        else:
            same += 1
    return EntryDecisions(new=tuple(new), changed=tuple(changed), same=same)
