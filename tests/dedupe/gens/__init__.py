"""Corpus generators that the matcher was never tuned on (issue 12).

Each module exposes ``generate(seed, scale=1.0) -> list[CorpusEntry]``: entries in fetch
order, ``group`` the true story, ``kind`` the construction.  The three differ in
vocabulary and sentence source on purpose, so that a matcher tuned on one (or on the
hand-built ``corpus.json``) is tested on text it has not seen:

* ``formulaic``: template-heavy briefs, market closes, match results and alerts in
  English, German, Spanish and French; unrelated stories share whole stock sentences.
* ``truncated``: sentences of real English prose (the docstrings of the Python standard
  library); most copies come from summary-only feeds cut at 100-300 characters.
* ``headlines``: civic and culture news with headline edits of every kind and
  recurring per-feed headlines ("Morning briefing", "Crossword answers" ...).

Kinds starting with ``recurring`` mark items whose title the feed reuses for different
content: the harness counts how many of those stories were merged with another.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.dedupe.corpus import CorpusEntry

Generator = Callable[[int, float], list[CorpusEntry]]


def generators() -> dict[str, Generator]:
    """Name -> generate function, in a fixed order."""
    from tests.dedupe.gens import formulaic, headlines, truncated

    return {"formulaic": formulaic.generate, "truncated": truncated.generate,
            "headlines": headlines.generate}
