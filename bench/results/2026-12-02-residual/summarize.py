#!/usr/bin/env python3
"""summarize.py DIR...: one Markdown row per model, with its final validation loss, every baseline,
the best baseline and the model's ratio to it. A DIR is a bench folder (results.json) or a folder
of `train` runs, one subfolder per architecture (each with validation.csv and checkpoint/config.json)."""
import csv, json, os, sys

print("| run | model | readout | lr | validation loss (per epoch) | persistence | mean | linear | best | ratio to best |")
print("|---|---|---|---:|---|---:|---:|---:|---|---:|")


def row(run, name, readout, lr, losses, b):
    best = min(b, key=b.get)
    print(f"| {run} | {name} | {readout} | {lr:g} | {' → '.join(f'{v:.4f}' for v in losses)} | "
          f"{b['persistence']:.4f} | {b['mean']:.4f} | {b['linear']:.4f} | {best} | {losses[-1] / b[best]:.3f} |")


for d in sys.argv[1:]:
    run = os.path.basename(os.path.normpath(d))
    results = os.path.join(d, "results.json")
    if os.path.exists(results):
        r = json.load(open(results))
        lr = r["settings"]["learningRate"]
        for m in r["models"]:
            b = {x["name"]: x["loss"] for x in m["baselines"]}
            row(run, m["name"], m["spec"].get("readout") or "plain", lr, m["validationLoss"], b)
        continue
    for arch in ("rnn", "lstm", "gru", "cwrnn"):
        folder = os.path.join(d, arch)
        if not os.path.isdir(folder):
            continue
        rows = list(csv.DictReader(open(os.path.join(folder, "validation.csv"))))
        config = json.load(open(os.path.join(folder, "checkpoint", "config.json")))
        b = {k[:-5]: float(v) for k, v in rows[-1].items() if k.endswith("_loss") and k != "validation_loss"}
        row(run, f"{arch}-{config['model']['layers']}", config["model"].get("readout", "plain"),
            config["training"]["learning_rate"], [float(x["validation_loss"]) for x in rows[1:]], b)
