"""Real English sentences that exist offline on every Python install: stdlib docstrings.

The sentences are none of ours, so a matcher tuned on our templates meets a vocabulary
and sentence shapes it has never seen.  They are read at run time from the source of a
fixed list of standard-library modules (``sysconfig``'s ``stdlib`` path), kept only
when they read as prose (capitalised, 8-40 words, no code), deduplicated and sorted.
The list therefore depends on the Python version (a newer release rewords some
docstrings): a corpus is deterministic for a given interpreter, and its figures move
only slightly between versions.
"""

from __future__ import annotations

import ast
import functools
import re
import sysconfig
from pathlib import Path

MODULES = (
    "argparse.py", "calendar.py", "configparser.py", "csv.py", "difflib.py", "doctest.py",
    "email/message.py", "email/utils.py", "ftplib.py", "gettext.py", "heapq.py",
    "http/client.py", "http/cookiejar.py", "imaplib.py", "inspect.py", "logging/__init__.py",
    "logging/handlers.py", "mailbox.py", "optparse.py", "pdb.py", "pickle.py", "pydoc.py",
    "shutil.py", "smtplib.py", "subprocess.py", "tarfile.py", "textwrap.py", "threading.py",
    "unittest/case.py", "urllib/request.py", "urllib/parse.py", "zipfile.py",
    "zipfile/__init__.py", "socketserver.py", "sched.py", "selectors.py", "tempfile.py",
    "traceback.py", "warnings.py", "weakref.py", "fractions.py", "decimal.py", "_pydecimal.py",
    "statistics.py", "random.py", "datetime.py", "_pydatetime.py", "functools.py",
    "collections/__init__.py", "contextlib.py", "dataclasses.py", "enum.py", "typing.py",
    "asyncio/events.py", "asyncio/tasks.py", "asyncio/streams.py", "concurrent/futures/_base.py",
    "multiprocessing/pool.py", "multiprocessing/managers.py", "xml/dom/minidom.py",
    "xml/etree/ElementTree.py", "json/decoder.py", "json/encoder.py", "json/__init__.py",
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_PROSE = re.compile(r"^[A-Z][A-Za-z ,;'()-]+[A-Za-z)][.!?]$")
_CODE_WORDS = re.compile(r"\b(?:def|self|args|kwargs|None|True|False|str|int|bool|dict|"
                         r"func|obj|cls|foo|bar|eg|ie|etc)\b")


def _docstrings(path: Path) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef |
                      ast.AsyncFunctionDef):
            doc = ast.get_docstring(node)
            if doc:
                found.append(doc)
    return found


def _sentences(doc: str) -> list[str]:
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", doc):
        if re.search(r"^\s{2,}|>>>|::|[=_{}<>\[\]\\/*`\"]", paragraph, re.MULTILINE):
            continue  # code, examples, tables, markup
        text = " ".join(paragraph.split())
        for sentence in _SENTENCE_END.split(text):
            words = sentence.split()
            if 8 <= len(words) <= 40 and _PROSE.match(sentence) \
                    and not _CODE_WORDS.search(sentence):
                out.append(sentence)
    return out


@functools.cache
def stdlib_sentences() -> tuple[str, ...]:
    """Every prose sentence of the listed modules' docstrings, sorted, each once."""
    root = Path(sysconfig.get_paths()["stdlib"])
    found: set[str] = set()
    for name in MODULES:
        path = root / name
        if path.is_file():
            for doc in _docstrings(path):
                found.update(_sentences(doc))
    if len(found) < 400:
        raise RuntimeError(f"only {len(found)} prose sentences found under {root}")
    return tuple(sorted(found))
