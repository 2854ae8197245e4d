"""The command line's own edges: where options go, what it refuses, how it says so."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from aggregator.cli import main
from tests.integration.conftest import ConfigWriter, RunningService

Start = Callable[[Path], RunningService]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`aggregator ARGS` as its own process: logging as a user gets it."""
    return subprocess.run([sys.executable, "-m", "aggregator.cli", *args], capture_output=True,
                          text=True, timeout=60, check=False)


def test_config_and_log_level_work_after_the_command(config_file: ConfigWriter) -> None:
    config = config_file(names=("rss20.xml",))
    done = run_cli("fetch", "--config", str(config), "--log-level", "debug")
    assert done.returncode == 0, done.stderr
    assert (config.parent / "store.db").is_file()
    assert " DEBUG " in done.stderr
    # After the command they win over the same options before it.
    quiet = run_cli("--config", "nowhere.toml", "--log-level", "debug", "feeds", "--json",
                    "--config", str(config), "--log-level", "error")
    assert quiet.returncode == 0, quiet.stderr
    assert " DEBUG " not in quiet.stderr
    assert '"url"' in quiet.stdout


def stories_table(database: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(database)
    try:
        return conn.execute("SELECT * FROM stories ORDER BY id").fetchall()
    finally:
        conn.close()


def test_dedupe_backtest_and_rebuild_exclude_each_other(
        config_file: ConfigWriter, capsys: pytest.CaptureFixture[str]) -> None:
    config = config_file(names=("rss20.xml", "atom10.xml"))
    assert main(["--config", str(config), "fetch"]) == 0
    before = stories_table(config.parent / "store.db")
    assert before
    capsys.readouterr()
    for flags in (["--backtest", "--rebuild"], ["--rebuild", "--backtest"], []):
        assert main(["--config", str(config), "dedupe", *flags]) == 2
        err = capsys.readouterr().err
        assert "aggregator: error: give either --backtest or --rebuild" in err
        assert ("not both" in err) == bool(flags)
    assert stories_table(config.parent / "store.db") == before


@pytest.mark.parametrize("limit", ["-1", "0", "x", "99999999999999999999999"])
def test_stories_refuses_a_limit_that_is_not_positive(
        config_file: ConfigWriter, capsys: pytest.CaptureFixture[str], limit: str) -> None:
    config = config_file(names=("rss20.xml",))
    assert main(["--config", str(config), "stories", "--limit", limit]) == 2
    err = capsys.readouterr().err
    assert "aggregator: error: Invalid value for '--limit'" in err


def test_every_error_has_one_style(config_file: ConfigWriter,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    config = config_file(names=("rss20.xml",))
    cases = {("enable", "https://nowhere.example/f"): 1, ("explain", "12345"): 1,
             ("nosuch",): 2, ("fetch", "--bogus"): 2, ("stories", "--since", "soon"): 2}
    for args, code in cases.items():
        assert main(["--config", str(config), *args]) == code, args
        err = capsys.readouterr().err
        assert err.strip().splitlines()[-1].startswith("aggregator: error: "), (args, err)
        assert "Error:" not in err, (args, err)


@pytest.mark.slow
def test_run_with_no_feeds_says_how_to_add_one(config_file: ConfigWriter,
                                               start_service: Start) -> None:
    service = start_service(config_file(names=()))
    service.wait_until(lambda: "nothing will be fetched" in service.output(), "the warning")
    assert "aggregator add URL" in service.output()
    assert "WARNING" in service.output()
