#!/usr/bin/env python3
"""Checks that two bench results folders hold the same grid, bit for bit.

    compare-results.py MERGED_DIR SINGLE_DIR

Used by bench/cluster/ci-slurm.sh to hold a grid merged from Slurm array tasks against the
same grid run in one process. With the same seed and the same --threads, every figure a
model learned is bit-identical however the grid is spread, so results.json must agree on
the preset, every setting, the models (names, order, specs, parameter counts) and every
loss figure and curve, and each model's generated sample must be the same bytes. What may
differ is excluded: wall-clock timings (also the seconds at which a model first got below every
baseline) and the date in each model's provenance.

Prints each difference with its JSON path; exits 1 if there is any, 2 on unreadable input.
"""
import hashlib
import json
import math
import os
import sys

# Per-model fields that measure the run, not the model.
TIMINGS = {"epochSeconds", "totalSeconds", "trainSeconds", "secondsPerEpoch"}


def load(folder):
    path = os.path.join(folder, "results.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)  # accepts NaN / Infinity, as bench writes them for a diverged model
    except (OSError, ValueError) as e:
        sys.exit(f"compare-results: {path}: cannot read bench results: {e}")


def same(a, b):
    # NaN is a legitimate result (a diverged model) and equals itself here; otherwise exact.
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def diff(a, b, path, out):
    """Appends to out every place where a and b differ, as 'path: a vs b'."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                out.append(f"{path}.{key}: {'missing' if key not in a else json.dumps(a[key])} vs "
                           f"{'missing' if key not in b else json.dumps(b[key])}")
            else:
                diff(a[key], b[key], f"{path}.{key}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} entries vs {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out)
    elif not same(a, b):
        out.append(f"{path}: {json.dumps(a)} vs {json.dumps(b)}")


def comparable(model):
    m = {k: v for k, v in model.items() if k not in TIMINGS}
    m["provenance"] = {k: v for k, v in m.get("provenance", {}).items() if k != "date"}
    # When a model first got below every baseline: the iteration is the model's, the seconds the run's.
    if isinstance(m.get("belowBaselines"), dict):
        m["belowBaselines"] = {k: v for k, v in m["belowBaselines"].items() if k != "seconds"}
    return m


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    left_dir, right_dir = argv[1], argv[2]
    left, right = load(left_dir), load(right_dir)
    problems = []
    for key in ("version", "preset", "settings"):
        diff(left.get(key), right.get(key), key, problems)

    left_names = [m["name"] for m in left["models"]]
    right_names = [m["name"] for m in right["models"]]
    if left_names != right_names:
        problems.append(f"models: {left_names} vs {right_names}")
    rights = {m["name"]: m for m in right["models"]}
    points = 0
    for model in left["models"]:
        name = model["name"]
        if name not in rights:
            continue
        other = rights[name]
        diff(comparable(model), comparable(other), f"models[{name}]", problems)
        points += len(model.get("lossCurve", [])) + len(model.get("validationLoss", []))
        if model.get("sample") and other.get("sample"):
            a = os.path.join(left_dir, model["sample"])
            b = os.path.join(right_dir, other["sample"])
            if not os.path.isfile(a) or not os.path.isfile(b):
                problems.append(f"models[{name}].sample: {a if not os.path.isfile(a) else b} is missing")
            elif sha256(a) != sha256(b):
                problems.append(f"models[{name}].sample: {a} and {b} differ")

    if problems:
        print(f"compare-results: {left_dir} and {right_dir} differ in {len(problems)} place(s):")
        for p in problems[:50]:
            print(f"  {p}")
        if len(problems) > 50:
            print(f"  … and {len(problems) - 50} more")
        return 1
    print(f"compare-results: identical: {len(left_names)} models ({', '.join(left_names)}), "
          f"{points} loss figures, settings, specs, parameter counts and samples "
          f"(timings and provenance dates not compared)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
