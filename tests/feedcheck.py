"""Run the shared feed validation kit (``../shared/validate``) from the tests.

The kit lives beside the repository, not in it, and needs lxml, jsonschema and
feedparser; with lemon24's ``reader`` installed it also subscribes to the feed
like a real client.  ``setup.sh`` builds an environment with all of that, so we
prefer its Python; otherwise the test environment's own Python runs the kit
without the reader check.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

KIT_DIR = Path(__file__).resolve().parents[2] / "shared" / "validate"
CHECK_FEED = KIT_DIR / "check_feed.py"
TIMEOUT_S = 300


def _kit_venvs() -> list[Path]:
    """Where setup.sh may have put the kit's environment, in the kit's own order."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    venvs = [KIT_DIR / ".venv", cache / "feedcheck" / "venv"]
    if os.environ.get("FEEDCHECK_VENV"):
        venvs.insert(0, Path(os.environ["FEEDCHECK_VENV"]))
    return venvs


def kit_command() -> list[str]:
    """The interpreter (and flags) to run check_feed.py with.

    The kit's environment has ``reader``, so the reader check runs; our own
    interpreter has the other dependencies but not ``reader``.
    """
    for venv in _kit_venvs():
        python = venv / "bin" / "python"
        if python.exists():
            return [str(python), str(CHECK_FEED)]
    return [sys.executable, str(CHECK_FEED), "--no-reader"]


def check_feed(target: str | Path, *, verbose: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the kit on a file or URL; skip the test if the kit is not there at all."""
    if not KIT_DIR.is_dir():
        pytest.skip(f"feed validation kit not found at {KIT_DIR}")
    command = [*kit_command(), str(target), *(["-v"] if verbose else [])]
    return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S,
                          check=False)


def kit_lines(result: subprocess.CompletedProcess[str], status: str) -> list[str]:
    """The check lines of one status (PASS / WARN / FAIL / SKIP) from the kit's output."""
    return [line for line in result.stdout.splitlines() if line.startswith(status)]


def assert_valid_feed(target: str | Path) -> subprocess.CompletedProcess[str]:
    """Fail the test, with the kit's full output, unless every check passes or warns."""
    result = check_feed(target)
    if result.returncode != 0 or kit_lines(result, "FAIL"):
        pytest.fail(f"feed validation kit rejected {target} (exit {result.returncode}):\n"
                    f"{result.stdout}{result.stderr}", pytrace=False)
    return result
