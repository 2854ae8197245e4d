"""feeds.toml loading: defaults, resolution, and one clear error per bad case."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.config import (
    DEFAULT_USER_AGENT,
    add_feed,
    load_config,
    load_defaults,
    parse_duration,
)
from aggregator.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_gets_the_documented_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, '[[feeds]]\nurl = "https://example.com/feed.xml"\n')
    config = load_config(path)
    assert config.settings.database == tmp_path.resolve() / "aggregator.db"
    assert config.settings.interval_s == 3600
    assert config.settings.user_agent == DEFAULT_USER_AGENT
    assert "aggregator" in config.settings.user_agent and "http" in config.settings.user_agent
    assert (config.server.host, config.server.port) == ("127.0.0.1", 8080)
    assert config.output.max_entries == 100
    assert config.feeds[0].url == "https://example.com/feed.xml"
    assert config.feeds[0].enabled is True
    assert config.interval_for(config.feeds[0]) == 3600


def test_every_key_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, """
[settings]
database = "data/store.db"
interval = "15m"
concurrency = 4
per_host = 1
timeout = "20s"
connect_timeout = "5s"
user_agent = "test-agent/1"
max_body_bytes = 2048
max_redirects = 3
jitter = 0.2
parse_workers = 1

[server]
host = "0.0.0.0"
port = 9000

[output]
title = "My news"
base_url = "https://news.example.net/agg"
max_entries = 20

[[feeds]]
url = "https://example.com/a.xml"
title = "A"
tags = ["world", "asia", "world"]
interval = "1h30m"
enabled = false
""")
    config = load_config(path)
    s = config.settings
    assert s.database == tmp_path.resolve() / "data" / "store.db"
    assert (s.interval_s, s.concurrency, s.per_host, s.timeout_s) == (900, 4, 1, 20)
    assert (s.connect_timeout_s, s.user_agent, s.max_body_bytes) == (5, "test-agent/1", 2048)
    assert (s.max_redirects, s.jitter, s.parse_workers) == (3, 0.2, 1)
    assert (config.server.host, config.server.port) == ("0.0.0.0", 9000)
    assert config.output.base_url == "https://news.example.net/agg/"
    feed = config.feeds[0]
    assert (feed.title, feed.tags, feed.interval_s, feed.enabled) == (
        "A", ("world", "asia"), 5400, False)


@pytest.mark.parametrize(("text", "seconds"), [
    ("45s", 45), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), (" 2 h ", 7200),
])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "15", "fast", "1x", "0s", "-5m", "1h 30"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration|zero"):
        parse_duration(text)


BAD_CASES = {
    "unknown key in a feed": (
        '[[feeds]]\nurl = "https://a.example/f"\ntilte = "typo"\n',
        ["feeds.tilte", "https://a.example/f", "unknown key", ":3"]),
    "unknown settings key": (
        '[settings]\nintervall = "1h"\n', ["settings.intervall", "unknown key", ":2"]),
    "unknown table": ('[setting]\ninterval = "1h"\n', ["'setting'", "unknown table"]),
    "bad url scheme": (
        '[[feeds]]\nurl = "ftp://a.example/f"\n',
        ["feeds.url", "ftp://a.example/f", "http", ":2"]),
    "url without host": ('[[feeds]]\nurl = "https:///nohost"\n', ["feeds.url", "https:///nohost"]),
    "missing url": ('[[feeds]]\ntitle = "no url"\n', ["feeds.url", "#1", "missing"]),
    "bad feed interval": (
        '[[feeds]]\nurl = "https://a.example/f"\ninterval = "soon"\n',
        ["feeds.interval", "https://a.example/f", "soon", ":3"]),
    "bad global interval": ('[settings]\ninterval = "0m"\n', ["settings.interval", "zero"]),
    "duplicate url": (
        '[[feeds]]\nurl = "https://a.example/f"\n[[feeds]]\nurl = "HTTPS://A.EXAMPLE/f"\n',
        ["duplicate", "feeds.url", "HTTPS://A.EXAMPLE/f"]),
    "wrong type": ('[settings]\nconcurrency = "many"\n', ["settings.concurrency", "expected int"]),
    "bool is not an int": ('[server]\nport = true\n', ["server.port", "expected int"]),
    "tags not strings": (
        '[[feeds]]\nurl = "https://a.example/f"\ntags = [1]\n', ["feeds.tags", "list"]),
    "out of range": ('[settings]\nconcurrency = 0\n', ["settings.concurrency", "range"]),
    "bad base url": ('[output]\nbase_url = "not a url"\n', ["output.base_url"]),
    "invalid toml": ('[[feeds]]\nurl = "https://a.example/f\n', ["invalid TOML", ":2"]),
    "feeds not an array": ('feeds = "x"\n', ["feeds", "array of tables"]),
    "output without name": ('[[outputs]]\ntags = ["x"]\n', ["outputs.name", "output #1"]),
    "output bad name": ('[[outputs]]\nname = "Bad Name"\n', ["outputs.name", "'Bad Name'"]),
    "output duplicate name": ('[[outputs]]\nname = "a"\n[[outputs]]\nname = "a"\n',
                              ["outputs.name", "duplicate"]),
    "output bad regex": ('[[outputs]]\nname = "a"\ninclude = ["/(open/"]\n',
                         ["outputs.include", "output 'a'", "regular expression", ":3"]),
    "output unknown feed": ('[[outputs]]\nname = "a"\nfeeds = ["https://x.example/f"]\n',
                            ["outputs.feeds", "not a configured feed"]),
    "output bad tags_mode": ('[[outputs]]\nname = "a"\ntags_mode = "most"\n',
                             ["outputs.tags_mode", "output 'a'"]),
    "output unknown key": ('[[outputs]]\nname = "a"\ntag = ["x"]\n',
                           ["outputs.tag", "output 'a'", "unknown key"]),
    "bad websub hub": ('[output]\nwebsub_hub = "hub"\n', ["output.websub_hub"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_each_bad_config_gives_one_clear_error(tmp_path: Path, case: str) -> None:
    text, expected = BAD_CASES[case]
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(str(path))
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


def test_shipped_configs_are_valid() -> None:
    default = load_config(ROOT / "feeds.toml")
    assert len(default.feeds) >= 12
    example = load_config(ROOT / "config" / "feeds.example.toml")
    assert example.feeds


def test_defaults_file_documents_every_key() -> None:
    defaults = load_defaults()
    docs = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    example = (ROOT / "config" / "feeds.example.toml").read_text(encoding="utf-8")
    for section in ("settings", "server", "output", "dedupe", "feed", "outputs"):
        for key in defaults[section]:
            assert f"`{key}`" in docs, f"{section}.{key} is not documented in docs/config.md"
            assert f"{key} =" in example, f"{section}.{key} is missing from feeds.example.toml"


def _duration_cases() -> list[tuple[str, str]]:
    """(table, key) of every duration key the config has, from the defaults file."""
    from aggregator.config import DURATION_KEYS

    defaults = load_defaults()
    tables = {"settings": "settings", "dedupe": "dedupe", "feed": "feeds", "outputs": "outputs",
              "server": "server", "output": "output"}
    return [(table, key) for section, table in tables.items()
            for key in defaults[section] if key in DURATION_KEYS]


def _with_duration(table: str, key: str, value: str) -> str:
    feed = '[[feeds]]\nurl = "https://a.example/f"\n'
    if table == "feeds":
        return f'{feed}{key} = "{value}"\n'
    if table == "outputs":
        return f'{feed}[[outputs]]\nname = "a"\n{key} = "{value}"\n'
    return f'{feed}[{table}]\n{key} = "{value}"\n'


def test_every_duration_key_is_covered() -> None:
    cases = _duration_cases()
    assert {key for _, key in cases} >= {"interval", "timeout", "max_backoff", "window", "since"}
    assert ("feeds", "interval") in cases and ("settings", "interval") in cases


@pytest.mark.parametrize(("table", "key"), _duration_cases())
@pytest.mark.parametrize("value", ["99999999999d", "3000000d", "400d", "9" * 400 + "s"])
def test_every_duration_is_bounded(tmp_path: Path, table: str, key: str, value: str) -> None:
    """Issue 13: a huge interval passed validation, then stopped all fetching."""
    path = write(tmp_path, _with_duration(table, key, value))
    if key == "since" and value == "400d":
        assert load_config(path).outputs[0].filters.since_s == 400 * 86400
        return
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}:")
    assert f"key '{table}.{key}'" in message
    longest = {"timeout": "1h", "connect_timeout": "1h", "host_delay": "1h", "since": "3650d"}
    allowed = "0s" if key == "host_delay" else "more than 0s"
    assert f"out of range: allowed {allowed} to {longest.get(key, '365d')}" in message


def test_the_longest_allowed_durations_load(tmp_path: Path) -> None:
    path = write(tmp_path, '[settings]\ninterval = "365d"\nmax_backoff = "52w"\ntimeout = "1h"\n'
                           '[dedupe]\nwindow = "365d"\n')
    config = load_config(path)
    assert config.settings.interval_s == 365 * 86400
    assert config.dedupe.window_s == 365 * 86400


def test_any_text_is_a_valid_output_query(tmp_path: Path) -> None:
    path = write(tmp_path, '[[outputs]]\nname = "a"\nquery = "covid-19 AND OR \\"x"\n')
    assert load_config(path).outputs[0].filters.query == 'covid-19 AND OR "x'


def test_a_utf8_bom_is_not_a_toml_error(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_bytes(b'\xef\xbb\xbf[[feeds]]\nurl = "https://a.example/f"\n')
    assert load_config(path).feeds[0].url == "https://a.example/f"
    add_feed(path, "https://b.example/f")
    assert [f.url for f in load_config(path).feeds] == ["https://a.example/f",
                                                        "https://b.example/f"]
