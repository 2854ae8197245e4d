"""Drop XML entity declarations before feedparser sees the document.

Why not trust feedparser and expat (measured with feedparser
6.0.14, Python 3.11.7, expat 2.5.0):

* feedparser's ``replace_doctype`` removes ``<!ENTITY`` declarations with
  regular expressions anchored at line starts, and re-declares the ones it
  deems "safe" (a plain-text value).  Its DOCTYPE pattern misses a DOCTYPE on
  the same line as the XML declaration, so the internal subset then reaches
  expat intact: a 1 KB "billion laughs" ran 3.3 s and peaked at 59 MB before
  expat's amplification limit stopped it; a ``%pe;`` parameter entity defined
  new general entities and expat expanded them.
* An ``<!ENTITY`` inside a comment in the DTD is still picked up by that
  regex and re-declared as live: one 10 KB "safe" entity referenced 50 times
  gave a 500 KB title.  When the document is not well-formed, the loose
  (sgmllib) parser expands "safe" entities itself with no limit at all: a
  110 KB body produced 200 MB of text in 3.2 s (600 MB peak).
* The decision must be made on the text feedparser parses, not on our bytes:
  it honours any encoding the document declares, so a UTF-7 internal subset
  (``+ADw-!ENTITY``) has no ``<!`` byte at all and still expanded to 3 MB.

No file or URL was ever read: feedparser turns off external general entities
and leaves external parameter entities off, so ``SYSTEM "file:///etc/passwd"``
entities expand to nothing, and DTDs (``<!DOCTYPE rss SYSTEM "http://...">``)
are not fetched.  An external DTD without an internal subset is therefore
allowed: it is what real RSS 0.91 feeds carry (the Netscape DOCTYPE).

Dropping rather than refusing: real feeds declare entities now and then (to
name a string they reuse, ``<!ENTITY id "tag:example.com,">``, or to pull in
XHTML's Latin-1 names; see docs/reliability.md), and refusing lost the whole
feed, while dropping the internal subset loses only the expansion (an
undeclared reference stays as it is written).  The rewrite is made on the
UTF-8 text feedparser would parse, which is then handed to it as UTF-8, so
no encoding trick can hide a declaration from it.  Only a prolog that does
not end within 64 KiB is still refused (``xml_entities``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from feedparser.encodings import convert_to_utf8

from aggregator.errors import ParseError

# A prolog longer than this is not a feed's: real ones are an XML declaration,
# a DOCTYPE and perhaps a comment or a stylesheet PI.
PROLOG_LIMIT_BYTES = 64 * 1024

_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_ENTITY_OPEN = re.compile(rb"<!(?=ENTITY)", re.IGNORECASE)  # "<!-ENTITY" declares nothing
_ENTITY_DETAIL = re.compile(
    rb"<!ENTITY\s*(%?)\s*([^\s%\"'>]{0,40})\s*(SYSTEM|PUBLIC)?", re.IGNORECASE)
# Inside a declaration: what can hide a ">" (quotes, a DTD subset, comments, PIs).
_DECLARATION_TOKEN = re.compile(rb"[\"'\[\]>]|<!--|<\?")
_SHOWN_NAMES = 5


def to_utf8(body: bytes, headers: Mapping[str, str], url: str) -> bytes:
    """The document as feedparser will parse it: its own encoding choice, as UTF-8.

    feedparser runs the same function on the same inputs, so what we inspect
    is exactly what expat and its loose parser will see.  A declared encoding
    whose codec raises something other than the decode errors feedparser
    catches (``charset=undefined`` raises UnicodeError) would crash feedparser
    too: it is a ParseError("bad_encoding") here instead.
    """
    result: dict[str, Any] = {}
    try:
        data: bytes = convert_to_utf8(dict(headers), body, result)
    except ValueError as exc:  # UnicodeError is a ValueError
        raise ParseError(url, f"the declared character encoding cannot be used ({exc})",
                         reason="bad_encoding") from None
    return data


def drop_entities(data: bytes, url: str) -> tuple[bytes, str | None]:
    """``data`` without the entity declarations of its prolog, and a warning naming them.

    ``data`` is UTF-8 (from ``to_utf8``).  The prolog is everything before the
    root element, scanned the way expat reads it (comments, processing
    instructions and quoted strings cannot end it) and at least as far as
    feedparser's own "head" (up to the first ``<`` and a word character, even
    inside a comment).  If it declares entities, the DOCTYPE's internal subset
    (``[...]``) is cut out whole and any ``<!ENTITY`` left in the prolog (in a
    comment, which feedparser would revive) is broken; the rest of the
    document is untouched.  So nothing is expanded and nothing is fetched,
    and an entity reference in the text stays unexpanded.  An ``<!ENTITY``
    after the root element has started is text to every parser and is left
    alone.  A prolog that does not end within ``PROLOG_LIMIT_BYTES`` is
    ParseError(reason="xml_entities").
    """
    first = _ENTITY.search(data)
    if first is None:
        return data, None
    subsets: list[tuple[int, int]] = []
    root = _root_start(data, PROLOG_LIMIT_BYTES, subsets)
    if root is not None and root < first.start():
        return data, None  # the declaration is in the document's content
    if root is None:
        raise _refusal(data, first.start(), url)
    prolog, kept, cut = data[:root], [], 0
    for begin, end in subsets:
        kept.append(prolog[cut:begin])
        cut = end
    kept.append(prolog[cut:])
    prolog_left = _ENTITY_OPEN.sub(b"<!-", b"".join(kept))
    warning = (f"the DTD declares {_declared(prolog)}; its internal subset was dropped, so no "
               "entity is expanded (entity expansion and external entities are how "
               "billion-laughs and XXE attacks work)")
    return prolog_left + data[root:], warning


def _refusal(data: bytes, first: int, url: str) -> ParseError:
    """The error for entity declarations in a prolog that does not end within the limit."""
    if first >= PROLOG_LIMIT_BYTES:
        message = (f"the XML prolog runs past {PROLOG_LIMIT_BYTES // 1024} KiB and the document "
                   "contains an entity declaration (<!ENTITY)")
    else:
        message = (f"the document's DTD declares {_declared(data[:PROLOG_LIMIT_BYTES])} and its "
                   "root element does not follow within "
                   f"{PROLOG_LIMIT_BYTES // 1024} KiB; refused")
    return ParseError(url, message, reason="xml_entities")


def _root_start(data: bytes, limit: int,
                subsets: list[tuple[int, int]] | None = None) -> int | None:
    """Where the root element starts, or None if not before ``limit`` (or not at all).

    The spans of the declarations' internal subsets (``[`` to ``]``) are
    appended to ``subsets``.  Every search stops at ``limit`` and every step
    moves forward, so the cost is linear in ``limit`` whatever the document holds.
    """
    pos = 0
    while pos < limit:
        lt = data.find(b"<", pos, limit)
        if lt < 0:
            return None
        after = data[lt + 1:lt + 2]
        if after.isalnum() or after == b"_":
            return lt  # feedparser's head ends here too
        if data.startswith(b"<!--", lt):
            pos = _past(data, b"-->", lt + 4, limit)
        elif after == b"?":
            pos = _past(data, b"?>", lt + 2, limit)
        elif after == b"!":
            pos = _declaration_end(data, lt + 2, limit, subsets)
        else:
            pos = lt + 1  # a stray "<": junk a lenient parser skips
    return None


def _past(data: bytes, token: bytes, pos: int, limit: int) -> int:
    """Just past the next ``token`` from ``pos``, or ``limit`` if it does not end before it."""
    end = data.find(token, pos, limit)
    return limit if end < 0 else end + len(token)


def _declaration_end(data: bytes, pos: int, limit: int,
                     subsets: list[tuple[int, int]] | None = None) -> int:
    """Just past the ``>`` closing a declaration (a DOCTYPE with its subset), else ``limit``.

    The span of each outermost ``[...]`` is appended to ``subsets``.
    """
    depth, opened = 0, pos
    while True:
        match = _DECLARATION_TOKEN.search(data, pos, limit)
        if match is None:
            return limit
        token, pos = match.group(), match.end()
        if token in (b'"', b"'"):
            pos = _past(data, token, pos, limit)
        elif token == b"<!--":
            pos = _past(data, b"-->", pos, limit)
        elif token == b"<?":
            pos = _past(data, b"?>", pos, limit)
        elif token == b"[":
            opened = opened if depth else match.start()
            depth += 1
        elif token == b"]":
            depth = max(0, depth - 1)
            if depth == 0 and subsets is not None:
                subsets.append((opened, pos))
        elif depth == 0:  # ">"
            return pos


def _declared(prolog: bytes) -> str:
    """Which entity declarations the prolog makes, e.g. "2 external entities (xxe, foo)"."""
    kinds: dict[str, list[str]] = {"entity": [], "external entity": [], "parameter entity": []}
    for percent, name, external in _ENTITY_DETAIL.findall(prolog):
        kind = "parameter entity" if percent else "external entity" if external else "entity"
        kinds[kind].append(name.decode("ascii", "replace") or "?")
    parts = []
    for kind, names in kinds.items():
        if not names:
            continue
        shown = ", ".join(names[:_SHOWN_NAMES]) + (", ..." if len(names) > _SHOWN_NAMES else "")
        label = kind if len(names) == 1 else kind.replace("entity", "entities")
        parts.append(f"{len(names)} {label} ({shown})")
    return ", ".join(parts) or "entities"
