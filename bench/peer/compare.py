#!/usr/bin/python3
"""Sets a `musicrnn perf` run (perf.json) beside a peer.py run (pytorch.json) and writes peer.md.

    compare.py MUSICRNN_PERF_JSON PYTORCH_JSON OUT_MD [COMMAND] [--into PERF_MD]

With --into, the comparison and the rows where PyTorch is faster, each with its known cause,
also go into that perf.md as its "PyTorch peer" section (replacing an earlier one).

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


# Why a row can be slower in MusicRnn than in PyTorch, as measured and analysed in README.md
# ("Reading it"). A slower row without an entry here is reported as unexplained.
CAUSES = {
    "frame by frame": "at T = 1 MusicRnn's `forward` still runs the window machinery (the window "
                      "function's buffers, views and split-product blocks, dispose scopes, a "
                      "ModelState) for one step; `generate` uses the folded loop for LSTMs instead.",
    "rnn/libtorch": "the same libtorch kernel on both sides; earlier re-timings put the two level, "
                    "so a ratio below 1 here is load on the shared cores.",
    "gru-after/libtorch": "the same libtorch kernel on both sides; earlier re-timings put the two "
                          "level, so a ratio below 1 here is load on the shared cores.",
}


def slower_rows(ours: dict, peer: dict) -> list:
    """(label, MusicRnn best ms, PyTorch best ms, cause) for every row PyTorch ran faster."""
    mine = {(c["name"], c["hidden"], c["window"], c["batch"]): c for c in ours["cells"]}
    rows = []
    for c in peer["cells"]:
        key = (c["name"], c["hidden"], c["window"], c["batch"])
        names = [key[0]] + ([f"{key[0]}/libtorch"] if key[0] in ("rnn", "lstm-plain", "gru-after") else [])
        for name in names:
            m = mine.get((name, *key[1:]))
            if m and best(c) < best(m):
                label = f"{name} (h{key[1]} T{key[2]} B{key[3]})"
                rows.append((label, best(m), best(c), CAUSES.get(name, "unexplained: investigate before quoting")))
    folded = [g for g in ours.get("generation") or [] if "frame by frame" in g["model"]]
    for g in folded:
        for p in peer.get("generation") or []:
            if best(p) < best(g):
                rows.append((f"generation, {g['model']} vs PyTorch {p['model']}", best(g), best(p), CAUSES["frame by frame"]))
    return rows


def perf_section(ours: dict, peer: dict, peer_md: str) -> str:
    lines = ["## PyTorch peer", "",
             f"bench/peer/run.sh ran PyTorch {peer['torchVersion']} (BLAS `{peer['blas']}`) on the same rows; "
             f"the full comparison is in {peer_md}. Rows where PyTorch was faster, and why:", ""]
    rows = slower_rows(ours, peer)
    if not rows:
        lines.append("None: MusicRnn was faster on every row.")
    else:
        lines += ["| row | MusicRnn ms | PyTorch ms | why |", "|---|---:|---:|---|"]
        lines += [f"| {r[0]} | {r[1]:.1f} | {r[2]:.1f} | {r[3]} |" for r in rows]
    return "\n".join(lines) + "\n"


def into_perf_md(path: str, section: str) -> None:
    with open(path) as f:
        text = f.read()
    start = text.find("## PyTorch peer")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + (text[end + 1:] if end >= 0 else "")
    with open(path, "w") as f:
        f.write(text.rstrip("\n") + "\n\n" + section)


def main(argv) -> int:
    into = None
    if "--into" in argv:
        i = argv.index("--into")
        if i + 1 >= len(argv):
            print(__doc__, file=sys.stderr)
            return 2
        into = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
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
    if into:
        into_perf_md(into, perf_section(ours, peer, argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
