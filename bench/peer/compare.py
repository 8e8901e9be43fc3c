#!/usr/bin/python3
"""Sets a `musicrnn perf` run (perf.json) beside a peer.py run (pytorch.json) and writes peer.md.

    compare.py MUSICRNN_PERF_JSON PYTORCH_JSON OUT_MD

Every ratio is PyTorch time / MusicRnn time on the best runs (the runs least disturbed on a
shared machine): above 1 MusicRnn is faster, below 1 PyTorch is.
"""

import json
import sys


def best(row):
    return row["milliseconds"]["best"]


def median(row):
    return row["milliseconds"]["median"]


def ms(row):
    return f"{best(row):.1f} ({median(row):.1f})" if row else "–"


def ratio(num, den):
    return f"{best(num) / best(den):.2f}×" if num and den else "–"


def markdown(ours: dict, peer: dict, command: str = "") -> str:
    def cells(results):
        return {(c["name"], c["hidden"], c["window"], c["batch"]): c for c in results["cells"]}

    mine, theirs = cells(ours), cells(peer)
    sizes = sorted({k[1:] for k in theirs})
    archs = [a for a in ["rnn", "lstm-peepholes", "lstm-plain", "gru-before", "gru-after", "cwrnn"]
             if any((a, *s) in theirs for s in sizes)]
    lines = ["# MusicRnn against PyTorch", ""]
    if command:
        lines += [f"Command: `{command}`  "]
    load = lambda r: "?" if r.get("loadAverage") is None else f"{r['loadAverage']:.1f}"
    lines += [
        f"MusicRnn: started {ours['started']}, {ours['threads']} threads, load average at start {load(ours)}; "
        f"TorchSharp (libtorch 2.x, its own BLAS).  ",
        f"PyTorch: started {peer['started']}, {peer['threads']} threads, load average at start {load(peer)}; "
        f"torch {peer['torchVersion']} (Debian), BLAS `{peer['blas']}`.  ",
        "Times are best (median) of the timed runs in ms; ratio = PyTorch best / MusicRnn best "
        "(> 1: MusicRnn faster).",
        "",
        "## Machine matmul rate (2048 × 2048 float32, GFLOP/s, best / median)",
        "",
        "| framework | best | median |",
        "|---|---:|---:|",
        f"| MusicRnn (TorchSharp) | {ours['matmul']['gflopsBest']:.1f} | {ours['matmul']['gflopsMedian']:.1f} |",
        f"| PyTorch | {peer['matmul']['gflopsBest']:.1f} | {peer['matmul']['gflopsMedian']:.1f} |",
        "",
        "## Forward + backward of one window",
        "",
        "PyTorch: nn.RNN / nn.LSTM / nn.GRU for rnn, lstm-plain, gru-after; a per-step Python loop "
        "of the cell equations for lstm-peepholes, gru-before, cwrnn, and the same loop under "
        "torch.jit.script. MusicRnn: what `ModelFactory.Create` picks (its window functions, or "
        "libtorch's kernel for lstm-plain).",
        "",
        "| architecture | hidden | window | batch | MusicRnn ms | PyTorch ms | PyTorch / MusicRnn "
        "| TorchScript ms | TorchScript / MusicRnn |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in sizes:
        for a in archs:
            m, p, j = mine.get((a, *s)), theirs.get((a, *s)), theirs.get((f"{a}/torchscript", *s))
            if not p:
                continue
            lines.append(f"| {a} | {s[0]} | {s[1]} | {s[2]} | {ms(m)} | {ms(p)} | {ratio(p, m)} "
                         f"| {ms(j)} | {ratio(j, m)} |")
    fused = [("rnn", "rnn/libtorch"), ("lstm-plain", "lstm-plain/libtorch"), ("gru-after", "gru-after/libtorch")]
    rows = [(a, ref, s) for s in sizes for a, ref in fused if (a, *s) in theirs and (ref, *s) in mine]
    if rows:
        lines += [
            "",
            "## The same fused kernel through both frameworks",
            "",
            "MusicRnn's `*/libtorch` rows run libtorch's own nn.RNN / nn.LSTM / nn.GRU through TorchSharp: "
            "against PyTorch's modules this compares the frameworks and libtorch versions, not the "
            "implementations.",
            "",
            "| architecture | hidden | window | batch | TorchSharp ms | PyTorch ms | PyTorch / TorchSharp |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for a, ref, s in rows:
            m, p = mine[(ref, *s)], theirs[(a, *s)]
            lines.append(f"| {a} | {s[0]} | {s[1]} | {s[2]} | {ms(m)} | {ms(p)} | {ratio(p, m)} |")
    gen_ours, gen_peer = ours.get("generation") or [], peer.get("generation") or []
    if gen_ours or gen_peer:
        by_frame = next((g for g in gen_ours if "frame by frame" in g["model"]), None)
        folded = next((g for g in gen_ours if "folded" in g["model"]), None)
        lines += [
            "",
            "## Free-running generation (1-layer peephole LSTM at 1024, prediction fed back, no grad)",
            "",
            "| framework: loop | frames | ms | frames/s (best) | time / MusicRnn frame by frame | time / MusicRnn folded |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for label, rows in (("MusicRnn", gen_ours), ("PyTorch", gen_peer)):
            for g in rows:
                lines.append(f"| {label}: {g['model']} | {g['frames']} | {ms(g)} | {g['framesPerSecond']:.0f} "
                             f"| {ratio(g, by_frame)} | {ratio(g, folded)} |")
    return "\n".join(lines) + "\n"


def main(argv) -> int:
    if len(argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        ours = json.load(f)
    with open(argv[2]) as f:
        peer = json.load(f)
    text = markdown(ours, peer, argv[4] if len(argv) == 5 else "")
    with open(argv[3], "w") as f:
        f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
