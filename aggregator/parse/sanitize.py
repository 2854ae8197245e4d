"""Cleaning what feeds send: HTML through nh3, text without XML-illegal characters, safe URLs.

Every format (RSS, Atom, RDF, JSON Feed) and feed discovery go through these
helpers, so one rule holds everywhere: HTML is allow-list sanitized with
relative URLs made absolute, text holds no character XML 1.0 forbids, and a
URL is absolute http(s) or nothing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

import nh3

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SAFE_SCHEMES = frozenset({"http", "https"})
_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(fragment: str, base: str) -> str:
    """Allow-list sanitize ``fragment``, resolving relative URLs against ``base``."""
    return nh3.clean(fragment, url_relative=("rewrite_with_base", base),
                     url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer").strip()


def clean_text(value: str) -> str:
    """``value`` without characters XML 1.0 forbids, so every output stays well-formed."""
    return _XML_ILLEGAL.sub("", value)


def one_line(value: str | None) -> str | None:
    """Plain text on one line (runs of whitespace become one space), or None when empty."""
    if not value:
        return None
    return " ".join(clean_text(value).split()) or None


def text_to_html(value: str | None) -> str | None:
    """Plain text as an HTML fragment: cleaned and escaped, or None when empty."""
    if not value:
        return None
    return html.escape(clean_text(value), quote=False).strip() or None


def safe_url(value: str | None, base: str) -> str | None:
    """An absolute http(s) URL, or None: other schemes (javascript:, data:) are dropped."""
    if not value:
        return None
    value = clean_text(value).strip()
    try:
        absolute = urljoin(base, value)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in _SAFE_SCHEMES or not parts.netloc:
        return None
    return absolute


def unique_names(names: Iterable[str]) -> tuple[str, ...]:
    """Tag names cleaned to one line, without empties or repeats, in document order."""
    return tuple(dict.fromkeys(n for n in map(one_line, names) if n))
