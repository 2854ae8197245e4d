"""Where our first ingest spends its time: cProfile of ``benchmarks.run_ours``.

Generates (or reuses) the corpus, starts the loopback server, writes the
same feeds.toml as ``benchmarks.bench``, and runs one first ingest in a
child process under cProfile.  Prints the top functions of the main process
by own time and by cumulative time.  The parser processes are not in a
cProfile profile: use py-spy for them (``py-spy record --subprocesses``, see
docs/benchmarks.md).

    python -m benchmarks.profile_ours [--feeds 200] [--entries 50] [--top 30]
"""

from __future__ import annotations

import argparse
import pstats
import subprocess
import sys

from benchmarks.bench import ROOT, served_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    with served_corpus(args.feeds, args.entries, "profile-") as (run_dir, config):
        stats_path = run_dir / "ours.pstats"
        subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats_path), "-m",
                        "benchmarks.run_ours", "--config", str(config), "--cycles", "0"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    stats = pstats.Stats(str(stats_path))
    stats.strip_dirs().sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    print(f"profile and store kept in {run_dir}")


if __name__ == "__main__":
    main()
