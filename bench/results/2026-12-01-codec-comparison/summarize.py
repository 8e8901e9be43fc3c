#!/usr/bin/env python3
"""summarize.py RESULTS_DIR...: one Markdown row per model of each bench folder's results.json:
final validation loss, every baseline, the best baseline, and the model's ratio to it."""
import json, os, sys
print("| codec | model | validation loss | persistence | mean | linear | best baseline | ratio to best | ratio to mean |")
print("|---|---|---:|---:|---:|---:|---|---:|---:|")
for d in sys.argv[1:]:
    r = json.load(open(os.path.join(d, "results.json")))
    s = r["settings"]
    codec = f"{s['codec']} {s['frameSize']}" + (f"/{s['extra']['hop']}" if 'hop' in s.get('extra', {}) else "")
    for m in r["models"]:
        b = {x["name"]: x["loss"] for x in m["baselines"]}
        best = min(b, key=b.get)
        v = m["finalValidationLoss"]
        print(f"| {codec} | {m['name']} | {v:.4f} | {b['persistence']:.4f} | {b['mean']:.4f} | {b['linear']:.4f} | {best} | {v / b[best]:.3f} | {v / b['mean']:.3f} |")
