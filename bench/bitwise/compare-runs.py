#!/usr/bin/env python3
"""Checks that two bench folders trained the same models to the same bits.

    compare-runs.py BEFORE_DIR AFTER_DIR

For every model folder under models/ in both: every parameter tensor in
checkpoint/weights.safetensors, the normalizer's tensors (inside weights.safetensors in checkpoint
format 1, in normalizer.safetensors from format 2 on), every training loss and gradient norm in
log.csv, and the validation and baseline losses in validation.csv (matched by column name) must be
equal to the last bit. Timings are not compared. Prints one line per model and every difference;
exits 1 if there is any.

Used to prove a refactoring changed no result: run `musicrnn demo` (or `bench --preset quick`)
with the same seed and --threads at the commit before and at the commit after, then compare.
"""
import csv
import json
import os
import struct
import sys

DTYPES = {"F32": ("f", 4), "F64": ("d", 8), "I64": ("q", 8)}


def safetensors(path):
    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        code, width = DTYPES[entry["dtype"]]
        begin, end = entry["data_offsets"]
        raw = data[begin:end]
        tensors[name] = (entry["shape"], raw)  # raw bytes: bit-for-bit comparison
    return tensors


def checkpoint_tensors(folder):
    tensors = safetensors(os.path.join(folder, "weights.safetensors"))
    normalizer = os.path.join(folder, "normalizer.safetensors")
    if os.path.exists(normalizer):
        tensors.update(safetensors(normalizer))
    return tensors


def rows(path, skip):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        return [{k: v for k, v in r.items() if k not in skip} for r in reader]


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    before, after = argv[1], argv[2]
    names = sorted(os.listdir(os.path.join(before, "models")))
    if names != sorted(os.listdir(os.path.join(after, "models"))):
        print(f"models differ: {names} vs {sorted(os.listdir(os.path.join(after, 'models')))}")
        return 1
    problems = 0
    for name in names:
        b, a = os.path.join(before, "models", name), os.path.join(after, "models", name)
        diffs = []
        tb, ta = checkpoint_tensors(os.path.join(b, "checkpoint")), checkpoint_tensors(os.path.join(a, "checkpoint"))
        if sorted(tb) != sorted(ta):
            diffs.append(f"tensor names {sorted(tb)} vs {sorted(ta)}")
        for t in sorted(set(tb) & set(ta)):
            if tb[t] != ta[t]:
                diffs.append(f"tensor {t} differs")
        lb, la = rows(os.path.join(b, "log.csv"), {"seconds"}), rows(os.path.join(a, "log.csv"), {"seconds"})
        if lb != la:
            first = next((i for i, (x, y) in enumerate(zip(lb, la)) if x != y), min(len(lb), len(la)))
            diffs.append(f"log.csv differs from row {first + 1} ({len(lb)} vs {len(la)} rows)")
        vb, va = rows(os.path.join(b, "validation.csv"), {"seconds"}), rows(os.path.join(a, "validation.csv"), {"seconds"})
        shared = [c for c in (vb[0].keys() if vb else []) if va and c in va[0]]
        if [[r[c] for c in shared] for r in vb] != [[r[c] for c in shared] for r in va]:
            diffs.append(f"validation.csv differs in columns {shared}")
        print(f"{name}: {len(tb)} tensors, {len(lb)} iterations, {len(vb)} validations: {'identical' if not diffs else 'DIFFERENT'}")
        for d in diffs:
            print(f"  {d}")
        problems += len(diffs)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
