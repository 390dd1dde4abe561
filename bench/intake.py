"""Benchmark: narratives per second through intake, beside a blank spaCy tokenizer.

    .venv/bin/python bench/intake.py [--texts 2000] [--vignettes ../shared/vignettes/dev]

Uses the vignette narratives repeated to about --texts texts, on one core (the process is
pinned to one CPU where the OS allows it, and BLAS/OpenMP threads are limited to one). Both
measurements run in the same process, one after the other, after a warm-up, so the ratio
compares like with like. Not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VIGNETTES = ROOT.parent / "shared" / "vignettes" / "dev"


def _pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        try:
            cpu = min(os.sched_getaffinity(0))
            os.sched_setaffinity(0, {cpu})
            return f"pinned to CPU {cpu}"
        except OSError:
            pass
    return "not pinned (no sched_setaffinity)"


def _narratives(folder: Path) -> list[str]:
    texts = []
    for path in sorted(folder.glob("*.json")):
        narrative = json.loads(path.read_text(encoding="utf-8")).get("case", {}).get("narrative")
        if narrative:
            texts.append(narrative)
    return texts


def _rate(fn, texts: list[str], repeats: int) -> tuple[float, float]:
    """Best and median texts per second over `repeats` runs."""
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for text in texts:
            fn(text)
        rates.append(len(texts) / (time.perf_counter() - start))
    return max(rates), statistics.median(rates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=2000, help="about how many texts to run")
    parser.add_argument("--vignettes", type=Path, default=DEFAULT_VIGNETTES)
    parser.add_argument("--repeats", type=int, default=1, help="timed runs of each (best is kept)")
    args = parser.parse_args()

    pinned = _pin_to_one_core()
    base = _narratives(args.vignettes)
    if not base:
        print(f"no narratives found in {args.vignettes}", file=sys.stderr)
        return 1
    texts = (base * (args.texts // len(base) + 1))[: args.texts]

    import spacy

    from esiguard.intake import intake
    from esiguard.intake.pipeline import get_pipeline
    from esiguard.kb import load_kb

    start = time.perf_counter()
    kb = load_kb()
    get_pipeline(kb)
    build_s = time.perf_counter() - start
    blank = spacy.blank("en")

    for text in base:  # warm-up: caches, lazy imports
        intake(text, kb=kb)
        blank(text)

    intake_best, intake_median = _rate(lambda t: intake(t, kb=kb), texts, args.repeats)
    blank_best, blank_median = _rate(blank, texts, args.repeats)

    chars = sum(len(t) for t in texts) / len(texts)
    print(f"texts: {len(texts)} ({len(base)} distinct vignette narratives, mean {chars:.0f} chars)")
    print(f"cpu: {pinned}; python {sys.version.split()[0]}; spaCy {spacy.__version__}")
    print(f"pipeline build (knowledge base + medspaCy): {build_s:.2f} s")
    print(
        f"esiguard intake:          {intake_best:9.1f} texts/s (median {intake_median:.1f}; "
        f"{1000 / intake_best:.2f} ms/text)"
    )
    print(
        f"spacy.blank('en') tokens: {blank_best:9.1f} texts/s (median {blank_median:.1f}; "
        f"{1000 / blank_best:.3f} ms/text)"
    )
    print(
        f"ratio: intake takes {blank_best / intake_best:.1f}x as long per text as the blank tokenizer"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
