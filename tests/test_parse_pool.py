"""The parser processes: forked at start-up, replaced after a crash, deaf to stray signals.

Each case runs in a fresh interpreter, because what ``parse_executor`` does
depends on the process being single-threaded, which pytest's is not.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.processes import running

pytestmark = pytest.mark.timeout(120)

SCRIPT = textwrap.dedent('''
    import asyncio, json, os, signal, sys, time
    from aggregator.models import FetchResult, Settings, Validators
    from aggregator.pipeline import Pipeline, parse_executor
    from aggregator.store import Store
    from aggregator.errors import ParseError

    BODY = (b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
            b"<item><guid>1</guid><title>One</title><description>Some text</description>"
            b"</item></channel></rss>")
    report = {}
    executor = parse_executor(2)  # single-threaded here: forked workers
    report["first"] = executor._mp_context.get_start_method()
    settings = Settings(database=sys.argv[1], parse_workers=2)
    store = Store.open(sys.argv[1])
    pipeline = Pipeline(store, None, settings, executor=executor)
    result = FetchResult(url="https://x.example/f", final_url="https://x.example/f",
                         status=200, headers={}, body=BODY, validators=Validators(),
                         bytes_read=len(BODY), duration_s=0.0)

    async def main():
        stopped = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
        parsed, found = await pipeline._parse(result)
        report["entries"] = [len(parsed.entries), len(found)]
        workers = list(pipeline.executor._processes)
        os.kill(workers[0], signal.SIGINT)  # a stray ^C to one worker: ignored
        await asyncio.sleep(0.3)
        report["after_sigint"] = workers[0] in pipeline.executor._processes and \\
            pipeline.executor._processes[workers[0]].is_alive()
        os.kill(workers[0], signal.SIGKILL)  # a worker dies (OOM killer)
        await asyncio.sleep(0.3)
        try:
            await pipeline._parse(result)
            report["crash"] = None
        except ParseError as exc:
            report["crash"] = exc.reason
        parsed, _ = await pipeline._parse(result)  # a new pool takes over
        report["replaced"] = [pipeline.executor._mp_context.get_start_method(),
                              len(parsed.entries)]
        report["service_stopped"] = stopped.is_set()

    asyncio.run(main())
    pipeline.close()
    store.close()
    print(json.dumps(report))
''')


@pytest.mark.skipif(sys.platform != "linux", reason="fork and forkserver are POSIX")
def test_workers_are_forked_then_replaced_after_a_crash(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "s.db")],
                          capture_output=True, text=True, timeout=100, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["first"] == "fork"
    assert report["entries"] == [1, 1]
    assert report["after_sigint"] is True
    assert report["crash"] == "parser_crash"
    assert report["replaced"] == ["forkserver", 1]  # threads exist by then: no fork
    assert report["service_stopped"] is False


ORPHAN_SCRIPT = textwrap.dedent('''
    import os, signal, sys, threading, time
    import aggregator.pipeline as pipeline

    if sys.argv[1] == "fallback":  # as where there is no PR_SET_PDEATHSIG
        pipeline._parent_death_signal = lambda signum: False
        if os.fork() == 0:
            pipeline.exit_with_parent()
            print(os.getpid(), flush=True)
            time.sleep(60)
            os._exit(0)
        time.sleep(0.5)
    else:  # a pool made once threads exist: its workers are the forkserver's children
        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
        executor = pipeline.parse_executor(2)
        executor.submit(int).result()
        print(" ".join(map(str, executor._processes)), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
''')


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("case", ["forkserver", "fallback"])
def test_workers_exit_when_the_service_is_killed(case: str) -> None:
    """The service is killed with SIGKILL: its parser processes must not live on."""
    with subprocess.Popen([sys.executable, "-c", ORPHAN_SCRIPT, case], text=True,
                          stdout=subprocess.PIPE) as service:
        assert service.stdout is not None
        workers = [int(pid) for pid in service.stdout.readline().split()]
        service.wait(timeout=30)
    assert workers, "no worker started"
    deadline = time.monotonic() + 5
    while any(map(running, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [pid for pid in workers if running(pid)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, f"{case} workers outlived their service"
