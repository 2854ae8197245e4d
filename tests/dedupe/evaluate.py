"""Score the story matcher on every corpus: ``python -m tests.dedupe.evaluate``.

    python -m tests.dedupe.evaluate                       # tuning seeds, all corpora
    python -m tests.dedupe.evaluate --held-out            # the held-out seeds
    python -m tests.dedupe.evaluate --corpus truncated --seeds 7 --scale 0.3 --json
    python -m tests.dedupe.evaluate --check-stability     # + second cycle, restart, rebuild

Corpora: ``legacy`` (the hand-built ``corpus.json``, one fixed corpus: seeds and scale
do not apply) and the generators of ``tests/dedupe/gens`` (``formulaic``, ``truncated``,
``headlines``).  The figures are defined in ``tests/dedupe/harness.py``.

Seeds: choose thresholds by looking at the **tuning seeds** (``TUNING_SEEDS``, 1-3, the
default) only.  The **held-out seeds** (``HELD_OUT_SEEDS``, 101-105, ``--held-out``) are
for reporting: a change tuned while looking at them no longer measures generalization.
``tests/dedupe/test_generalize.py`` runs one held-out seed at a small scale in CI.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict

from tests.dedupe.corpus import CorpusEntry, load_corpus
from tests.dedupe.gens import generators
from tests.dedupe.harness import EXAMPLES, Report, evaluate

TUNING_SEEDS = (1, 2, 3)
HELD_OUT_SEEDS = (101, 102, 103, 104, 105)
CORPORA = ("legacy", "formulaic", "truncated", "headlines")


def build(name: str, seed: int, scale: float) -> list[CorpusEntry]:
    """The corpus ``name`` for ``seed`` at ``scale`` (``legacy`` ignores both)."""
    if name == "legacy":
        return load_corpus()
    return generators()[name](seed, scale)


def run(names: Sequence[str], seeds: Sequence[int], scale: float, *,
        check_stability: bool = False, examples: int = EXAMPLES) -> list[Report]:
    reports: list[Report] = []
    for name in names:
        for seed in ([0] if name == "legacy" else seeds):
            corpus = build(name, seed, scale)
            reports.append(evaluate(corpus, name=name, seed=None if name == "legacy" else seed,
                                    examples=examples, check_stability=check_stability))
    return reports


def render(report: Report) -> str:
    """One corpus and seed, for a person."""
    seed = "" if report.seed is None else f" seed {report.seed}"
    lines = [
        f"{report.corpus}{seed}: {report.entries} entries, {report.groups} stories, "
        f"{report.true_pairs} true pairs" + (f" ({report.seconds:.1f}s)" if report.seconds
                                              else ""),
        f"  precision {report.precision:.4f}  recall {report.recall:.4f}  "
        f"(predicted pairs {report.predicted_pairs}, correct {report.correct_pairs})",
        f"  recurring-headline stories merged with another: {report.recurring_merged} of "
        f"{report.recurring_stories}",
        f"  {'layer':<12}{'merges':>8}{'right':>8}{'pairs':>9}{'correct':>9}{'precision':>11}",
    ]
    for layer, f in report.layers.items():
        lines.append(f"  {layer:<12}{f.merges:>8}{f.right:>8}{f.pairs:>9}{f.correct:>9}"
                     f"{f.precision:>11.4f}")
    if report.stability is not None:
        s = report.stability
        lines.append(f"  stable: second cycle {s.second_cycle}, restart {s.restart}, cycle "
                     f"after restart {s.cycle_after_restart}, rebuild {s.rebuild}")
    lines += [f"  false merge: {x}" for x in report.false_merges]
    lines += [f"  miss: {x}" for x in report.misses]
    return "\n".join(lines)


def summary(reports: Sequence[Report]) -> str:
    """One line per corpus and seed."""
    lines = [f"{'corpus':<11}{'seed':>5}{'entries':>9}{'pairs':>8}{'P':>8}{'R':>8}"
             f"{'rec.merged':>12}{'stable':>8}"]
    for r in reports:
        stable = "-" if r.stability is None else ("yes" if r.stability.ok else "NO")
        lines.append(f"{r.corpus:<11}{'-' if r.seed is None else r.seed:>5}{r.entries:>9}"
                     f"{r.true_pairs:>8}{r.precision:>8.4f}{r.recall:>8.4f}"
                     f"{r.recurring_merged:>12}{stable:>8}")
    return "\n".join(lines)


def as_json(report: Report) -> dict[str, object]:
    document = asdict(report)
    for name, figures in report.layers.items():
        document["layers"][name]["precision"] = figures.precision
    if report.stability is not None:
        document["stability"]["ok"] = report.stability.ok
    return document


def _seeds(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds must be integers separated by commas, "
                                         f"got {text!r}") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.dedupe.evaluate",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--corpus", action="append", choices=CORPORA,
                        help="a corpus to run (repeat for several; default: all)")
    parser.add_argument("--seeds", type=_seeds, help="comma-separated seeds "
                        f"(default: the tuning seeds {','.join(map(str, TUNING_SEEDS))})")
    parser.add_argument("--held-out", action="store_true",
                        help=f"run the held-out seeds {','.join(map(str, HELD_OUT_SEEDS))}")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="corpus size factor (1.0: ~2,000 entries each)")
    parser.add_argument("--examples", type=int, default=EXAMPLES,
                        help="false merges and misses to show per run")
    parser.add_argument("--check-stability", action="store_true",
                        help="also check a second cycle, a restart and dedupe --rebuild")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    if args.seeds and args.held_out:
        parser.error("give --seeds or --held-out, not both")
    seeds = args.seeds or (HELD_OUT_SEEDS if args.held_out else TUNING_SEEDS)
    reports = run(args.corpus or CORPORA, seeds, args.scale,
                  check_stability=args.check_stability, examples=args.examples)
    if args.json:
        print(json.dumps([as_json(r) for r in reports], indent=2))
    else:
        print("\n\n".join(render(r) for r in reports))
        print()
        print(summary(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
