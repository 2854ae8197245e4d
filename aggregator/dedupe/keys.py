"""Entry keys and the new / changed / same decision for the entries of one fetch.

Pure: the pipeline hands in what the store knows about a feed's keys and
gets back what to write.  Which *story* a new entry joins is ``match``'s
business; this module only says which entries are new at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from aggregator.models import ParsedEntry, entry_key


@dataclass(frozen=True, slots=True)
class EntryDecisions:
    """The entries of one fetch, split by what the store must do with them."""

    new: tuple[tuple[ParsedEntry, str], ...]  # (entry, content hash)
    changed: tuple[tuple[ParsedEntry, str], ...]
    same: int


def decide(entries: Iterable[ParsedEntry], stored: Mapping[str, tuple[str, str | None, int]],
           max_content_updates: int = 24) -> EntryDecisions:
    """Split ``entries`` against ``stored`` (key -> (content hash, updated, update count)).

    Unchanged entries are not touched at all.  A change whose ``updated`` date
    did not move is capped at ``max_content_updates`` per entry, so a page that
    embeds the time does not churn the store and the outputs.
    """
    new: list[tuple[ParsedEntry, str]] = []
    changed: list[tuple[ParsedEntry, str]] = []
    same = 0
    for entry in entries:
        digest = entry.content_hash()
        known = stored.get(entry.key)
        if known is None:
            new.append((entry, digest))
        elif known[0] == digest:
            same += 1
        elif entry.updated != known[1] or known[2] < max_content_updates:
            changed.append((entry, digest))
        else:
            same += 1
    return EntryDecisions(new=tuple(new), changed=tuple(changed), same=same)


def key_mode(entries: Sequence[ParsedEntry], broken_share: float) -> str:
    """Which key a feed's entries get: "guid", or "link" / "hash" when its ids are broken.

    Ids are broken when more than ``broken_share`` of the entries (and at
    least two) have an id shared with another entry of the document, or have
    neither an id nor a link to stand in for it.  A missing id alone is not
    broken: the entry is keyed by its link.
    """
    if not entries:
        return "guid"
    counts: dict[str, int] = {}
    for entry in entries:
        if entry.guid:
            counts[entry.guid] = counts.get(entry.guid, 0) + 1
    broken = sum(1 for e in entries if (e.guid and counts[e.guid] > 1)
                 or (not e.guid and not e.url))
    if broken < 2 or broken / len(entries) <= broken_share:
        return "guid"
    links = [e.url for e in entries if e.url]
    return "link" if len(links) == len(entries) and len(set(links)) == len(links) else "hash"


def rekey(entries: Sequence[ParsedEntry], mode: str, feed_url: str) -> list[ParsedEntry]:
    """The entries keyed for ``mode``: as parsed ("guid"), by link, or by a content hash.

    Hash keys always derive from ``feed_url`` (the feed's configured URL), so
    a redirect or an adopted URL does not re-key id-less, link-less entries.
    Keys stay unique within the document: a repeat gets its position appended.
    """
    result, seen = [], set()
    for position, entry in enumerate(entries):
        key = entry.key
        if mode != "guid" or key.startswith("sha256:"):
            link = entry.url if mode == "link" else None
            key = entry_key(None, link, entry.title, entry.published or entry.updated, feed_url)
        if key in seen:
            key = f"{key}#{position}"
        seen.add(key)
        result.append(entry if key == entry.key else replace(entry, key=key))
    return result


