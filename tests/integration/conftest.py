"""Fixtures for full cycles: a feeds.toml pointing at the loopback feed server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.feedserver import FeedServer

FIXTURE_FEEDS = ("rss20.xml", "atom10.xml", "rss10.xml", "malformed.xml", "broken.xml")
ConfigWriter = Callable[..., Path]


@pytest.fixture
def config_file(tmp_path: Path, feed_server: FeedServer, free_port: int) -> ConfigWriter:
    """Write a feeds.toml for the fixture feeds (``broken.xml`` answers 500); returns its path."""
    feed_server.set_response("broken.xml", status=500, body="internal error")

    def write(*, interval: str = "1h", names: tuple[str, ...] = FIXTURE_FEEDS,
              extra_settings: str = "") -> Path:
        feeds = "".join(f'\n[[feeds]]\nurl = "{feed_server.url(name)}"\ntags = ["test"]\n'
                        for name in names)
        path = tmp_path / "feeds.toml"
        path.write_text(f"""
[settings]
database = "store.db"
interval = "{interval}"
timeout = "5s"
jitter = 0.0
min_interval = "1s"
host_delay = "0s"
{extra_settings}

[server]
port = {free_port}

[output]
title = "Test merged feed"
base_url = "http://127.0.0.1:{free_port}/"
{feeds}""", encoding="utf-8")
        return path

    return write


class RunningService:
    """``aggregator run`` as a subprocess, with its log captured to a file."""

    def __init__(self, config: Path, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = config.parent / f"run-{time.monotonic_ns()}.log"
        self.log = self.log_path.open("wb")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aggregator.cli", "--config", str(config), "run"],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.wait_until(lambda: self.get("/healthz").status_code == 200, "the server to start")

    def get(self, path: str, **headers: str) -> httpx.Response:
        return httpx.get(self.base + path, headers=headers, timeout=5)

    def wait_until(self, predicate: Callable[[], bool], what: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"service exited early waiting for {what}:\n{self.output()}")
            try:
                if predicate():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        pytest.fail(f"timed out waiting for {what}:\n{self.output()}")

    def stop(self) -> float:
        """SIGTERM; returns how long the process took to exit."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        return time.monotonic() - started

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def start_service(free_port: int) -> Iterator[Callable[[Path], RunningService]]:
    """Start ``aggregator run`` on a config; every service started is stopped at the end."""
    started: list[RunningService] = []

    def start(config: Path) -> RunningService:
        service = RunningService(config, free_port)
        started.append(service)
        return service

    yield start
    for service in started:
        if service.process.poll() is None:
            service.stop()
