"""Shared pytest fixtures. Keep each section small; add new fixtures under a clear heading."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.feedserver import FeedServer

FEEDS_DIR = Path(__file__).parent / "feeds"


# --------------------------------------------------------------------------- fixture data


@pytest.fixture(scope="session")
def feeds_dir() -> Path:
    """The checked-in fixture feeds (read-only: copy before modifying, see ``feed_server``)."""
    return FEEDS_DIR


# --------------------------------------------------------------------------- network


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[FeedServer]:
    """A FeedServer on 127.0.0.1 serving a per-test copy of tests/feeds.

    The copy lives in ``feed_server.directory``, so a test may rewrite or add files there
    (to simulate a feed changing) without touching the repository or other tests.
    """
    directory = tmp_path / "feeds"
    shutil.copytree(FEEDS_DIR, directory)
    with FeedServer(directory) as server:
        yield server


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for servers we cannot hand a socket).

    Prefer binding port 0 yourself when you can: another process may take this one.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
