"""Triage throughput over 10,000 varied generated cases, on one core.

Prints cases per second for the baselines, measured in the same run: (a) parsing and
validating the cases as they arrive at the CLI and the API (JSON text), and (a') validating
them already decoded (Python dicts); then (b) triaging the already-validated cases, and the
ratios b-time / a-time and b-time / a'-time. The three are timed in turn for R rounds; the
medians are printed, the ratios as the median of each round's own ratio.
The modules listed in esiguard._compiled run compiled when the install could build them
(setup.py); ESIGUARD_PURE_PYTHON=1 measures them as Python.
Run: .venv/bin/python bench/triage.py [--cases N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time

from esiguard._compiled import compiled_modules
from esiguard.case import parse_case
from esiguard.engine.report import clear_memos
from esiguard.kb import load_kb
from esiguard.pipeline import triage, warm_up

APPROACHES = ["interlaminar", "transforaminal", "caudal", "unknown"]
REGIONS = ["cervical", "thoracic", "lumbar", "sacral"]
SIDES = ["left", "right", "midline", "bilateral"]
ANESTHETICS = ["lidocaine", "bupivacaine", "ropivacaine", "none", "unknown"]
STEROIDS = ["triamcinolone", "methylprednisolone", "betamethasone", "dexamethasone", "unknown"]
TRENDS = ["improving", "stable", "worsening", "resolved"]


def generate(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    codes = sorted(load_kb().vocabulary.findings)
    cases = []
    for i in range(n):
        since = round(rng.uniform(0.2, 400), 1)
        findings = []
        for code in rng.sample(codes, rng.randint(1, 7)):
            f: dict = {"code": code, "present": rng.choice([True, True, True, False, None])}
            if f["present"]:
                if rng.random() < 0.7:
                    f["side"] = rng.choice(["left", "right", "both"])
                if rng.random() < 0.8:
                    f["onset_hours"] = round(rng.uniform(0, since), 1)
                if rng.random() < 0.8:
                    f["trend"] = rng.choice(TRENDS)
                if rng.random() < 0.5:
                    f["severity"] = rng.choice(["mild", "moderate", "severe"])
                if code == "fever" and rng.random() < 0.5:
                    f["value"], f["unit"] = round(rng.uniform(36, 40), 1), "C"
                if code == "blood_glucose":
                    f["value"], f["unit"] = round(rng.uniform(5, 30), 1), "mmol/L"
            findings.append(f)
        cases.append({
            "format": "esi-case/1",
            "id": f"bench-{i}",
            "patient": {"age_years": rng.randint(20, 90), "sex": rng.choice(["female", "male"]),
                        "conditions": rng.sample(["diabetes_type2", "hypertension", "disc_herniation"], rng.randint(0, 2)),
                        "medications": [{"name": rng.choice(["apixaban", "aspirin", "metformin", "ibuprofen"])}]},
            "procedure": {"status": "done", "approach": rng.choice(APPROACHES), "region": rng.choice(REGIONS),
                          "side": rng.choice(SIDES), "steroid": {"name": rng.choice(STEROIDS)},
                          "local_anesthetic": {"name": rng.choice(ANESTHETICS)}, "events": ["none"]},
            "hours_since_injection": since,
            "screen_complete": rng.random() < 0.5,
            "findings": findings,
        })  # fmt: skip
    return cases


def timed(fn, before=None) -> float:
    """CPU time of one call of `fn` (process time: other processes on the machine do not count)."""
    if before is not None:
        before()
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    kb = load_kb()
    raw = generate(args.cases)
    texts = [json.dumps(c) for c in raw]
    parsed = [parse_case(c) for c in raw]
    for case in parsed[:200]:  # warm caches (compiled rules, drug index) outside the timing
        triage(case, kb, use_narrative=False)
    warm_up(kb)  # as `esiguard serve` does before it serves

    # Results are discarded as they come (as a server would): keeping 10,000 results alive
    # would mostly measure the garbage collector walking them.
    def parse_all() -> None:
        for text in texts:
            parse_case(text)

    def validate_all() -> None:
        for c in raw:
            parse_case(c)

    def triage_all() -> None:
        for c in parsed:
            triage(c, kb, use_narrative=False)

    # The three are measured in turn, round after round, so that a machine slowing down or
    # speeding up during the run weighs on baseline and triage alike; each ratio is taken
    # within a round, and the medians are reported. The result memos are emptied before each
    # triage run so that rounds do not reuse earlier cases.
    rounds = []
    for _ in range(args.repeat):
        rounds.append((timed(parse_all), timed(validate_all),
                       timed(triage_all, before=lambda: clear_memos(kb))))  # fmt: skip
    parse_s = statistics.median(r[0] for r in rounds)
    validate_s = statistics.median(r[1] for r in rounds)
    triage_s = statistics.median(r[2] for r in rounds)
    to_parse = statistics.median(r[2] / r[0] for r in rounds)
    to_validate = statistics.median(r[2] / r[1] for r in rounds)
    n = args.cases

    def line(label: str, seconds: float) -> str:
        return f"{label:34s}{n / seconds:9.0f} cases/s  ({seconds * 1e6 / n:6.1f} us/case)"

    compiled = compiled_modules()
    print(f"cases: {n} (one core, CPU time, median of {args.repeat} rounds)")
    print("compiled (Cython): " + (", ".join(compiled) if compiled else "none, all Python"))
    print(line("parse + validate (JSON text)", parse_s))
    print(line("validate only (decoded dicts)", validate_s))
    print(line("triage (validated cases)", triage_s))
    print(f"triage / parse+validate time ratio: {to_parse:.2f}x (median of the rounds' ratios)")
    print(f"triage / validate-only time ratio:  {to_validate:.2f}x")


if __name__ == "__main__":
    main()
