"""Triage throughput over 10,000 varied generated cases, on one core.

Prints cases per second for the baselines, measured in the same run: (a) parsing and
validating the cases as they arrive at the CLI and the API (JSON text), and (a') validating
them already decoded (Python dicts); then (b) triaging the already-validated cases, and the
ratios b-time / a-time and b-time / a'-time.
Run: .venv/bin/python bench/triage.py [--cases N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time

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


def timed(fn, repeat: int, before=None) -> float:
    """Median CPU time of `fn` (process time: other processes on the machine do not count)."""
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.process_time()
        fn()
        runs.append(time.process_time() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
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

    parse_s = timed(parse_all, args.repeat)
    validate_s = timed(validate_all, args.repeat)
    # The result memos are emptied before each run so repeated runs do not reuse earlier cases.
    triage_s = timed(triage_all, args.repeat, before=lambda: clear_memos(kb))
    n = args.cases

    def line(label: str, seconds: float) -> str:
        return f"{label:34s}{n / seconds:9.0f} cases/s  ({seconds * 1e6 / n:6.1f} us/case)"

    print(f"cases: {n} (one core, CPU time, median of {args.repeat} runs)")
    print(line("parse + validate (JSON text)", parse_s))
    print(line("validate only (decoded dicts)", validate_s))
    print(line("triage (validated cases)", triage_s))
    print(f"triage / parse+validate time ratio: {triage_s / parse_s:.2f}x")
    print(f"triage / validate-only time ratio:  {triage_s / validate_s:.2f}x")


if __name__ == "__main__":
    main()
