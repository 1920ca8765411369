"""pmo-xl's scheduler against MS Project's own saved schedules (the MSPDI files of MPXJ's tests).

For each file and field (early/late start and finish, total and free slack, critical flag):
how many of MS Project's saved values pmo-xl's schedule reproduces, by day, where the stored
schedule is consistent with itself; what was skipped and why; what pmo-xl does not model.

    python benchmarks/bench_msproject_agreement.py [--differences]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.mspdi import FIELDS, compare_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--differences", action="store_true", help="list every value that differs")
    args = parser.parse_args()
    comparisons = compare_all()
    short = {"early_start": "ES", "early_finish": "EF", "late_start": "LS", "late_finish": "LF",
             "total_float": "TS", "free_float": "FS", "critical": "Crit"}  # fmt: skip
    print(f"{'file':40} {'tasks':>5} " + " ".join(f"{short[n]:>9}" for n in FIELDS) + "      all")
    total = agreed = 0
    for c in comparisons:
        cells = [f"{c.agreed[n]:>4}/{c.compared[n]:<4}" for n in FIELDS]
        share = c.agreement()
        print(f"{c.file:40} {c.tasks:>5} " + " ".join(cells) + (f" {share:>8.1%}" if share is not None else ""))
        total += sum(c.compared.values())
        agreed += sum(c.agreed.values())
    print(f"\nagreement on every value compared: {agreed}/{total} = {agreed / total:.1%}")
    for c in comparisons:
        notes = [f"{n} x{k}" for n, k in c.skipped.items()] + [
            f"not modelled: {n} x{k}" for n, k in c.not_modelled.items()
        ]
        if notes:
            print(f"{c.file}: " + "; ".join(notes))
        if args.differences:
            for uid, name, field, theirs, ours in c.differences:
                print(f"  task {uid} {name!r} {field}: MS Project {theirs}, pmo-xl {ours}")


if __name__ == "__main__":
    main()
