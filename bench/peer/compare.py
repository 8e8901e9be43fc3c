#!/usr/bin/python3
"""Sets a `musicrnn perf` run (perf.json) beside a peer.py run (pytorch.json) and writes peer.md;
or, given a samples.py run (pytorch-samples.json), the sample-level rows beside it.

    compare.py MUSICRNN_PERF_JSON PYTORCH_JSON OUT_MD [COMMAND] [--into PERF_MD]

With --into, the comparison and the rows where PyTorch is faster, each with its known cause,
also go into that perf.md as its "PyTorch peer" section (replacing an earlier one); for the
sample-level rows, the ratios against the aim of issue 16 (MusicRnn at least twice PyTorch's
samples/s) go in as its "PyTorch peer, sample level" section.

Every ratio is PyTorch time / MusicRnn time on the best runs (the runs least disturbed on a
shared machine): above 1 MusicRnn is faster, below 1 PyTorch is. For the sample-level rows it is
MusicRnn samples/s / PyTorch samples/s, the same thing (the two run the same samples).
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


# Issue 16, item 7: MusicRnn's sample-level training at least twice as fast as PyTorch's.
SAMPLE_AIM = 2.0


def sample_pairs(ours: dict, peer: dict):
    """(MusicRnn row or None, PyTorch row) of the training and of the generation rows, paired by
    frame tier and every size, so rows of different settings are never set side by side."""
    def key(r):
        return (r["arch"], r["hidden"], r["mlpSize"], r["streams"], r["window"])
    mine = {key(r): r for r in ours.get("sampleTraining") or []}
    training = [(mine.get(key(p)), p) for p in peer.get("sampleTraining") or []]
    gen = lambda r: (r["arch"], r["streams"], round(r["audioSeconds"], 6))  # noqa: E731
    mine_gen = {gen(r): r for r in ours.get("sampleGeneration") or []}
    generation = [(mine_gen.get(gen(p)), p) for p in peer.get("sampleGeneration") or []]
    return training, generation


def rate(row, field):
    return f"{row[field]:.0f}" if row else "–"


def samples_markdown(ours: dict, peer: dict, command: str = "") -> str:
    training, generation = sample_pairs(ours, peer)
    lines = ["# MusicRnn against PyTorch: the sample-level model", ""]
    if command:
        lines += [f"Command: `{command}`  "]
    load = lambda r: "?" if r.get("loadAverage") is None else f"{r['loadAverage']:.1f}"  # noqa: E731
    lines += [
        f"MusicRnn: started {ours['started']}, {ours['threads']} threads, load average at start {load(ours)}; "
        f"TorchSharp (libtorch 2.x, its own BLAS).  ",
        f"PyTorch: started {peer['started']}, {peer['threads']} threads, load average at start {load(peer)}; "
        f"torch {peer['torchVersion']} (Debian), BLAS `{peer['blas']}`.  ",
        "Rates use the best run (median in parentheses); ratio = MusicRnn / PyTorch (> 1: MusicRnn faster).",
        "",
        f"Machine matmul ({ours['matmul']['size']}² float32, GFLOP/s best / median): MusicRnn "
        f"{ours['matmul']['gflopsBest']:.1f} / {ours['matmul']['gflopsMedian']:.1f}; PyTorch "
        f"{peer['matmul']['gflopsBest']:.1f} / {peer['matmul']['gflopsMedian']:.1f}.",
        "",
        "## Training: one update, samples/s",
        "",
        "The default model of `train --predict samples --arch X` (SampleRNN 2-tier, 256 levels, frames of 16, "
        "MLP 256). One update: forward over streams × window samples from the carried state, cross-entropy, "
        "backward, clip at norm 1, Adam 1e-3. PyTorch: nn.RNN / nn.GRU frame tiers, the interop file's "
        "per-step loops for the peephole LSTM and the CW-RNN.",
        "",
        f"| frame tier | hidden | streams | window | MusicRnn samples/s | PyTorch samples/s | MusicRnn / PyTorch "
        f"| aim {SAMPLE_AIM:g}× | MusicRnn ms | PyTorch ms | loss bits (MusicRnn, PyTorch) | parameters |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---:|",
    ]
    for m, p in training:
        ratio_text, aim = "–", "–"
        if m:
            r = m["samplesPerSecond"] / p["samplesPerSecond"]
            ratio_text, aim = f"{r:.2f}×", "met" if r >= SAMPLE_AIM else "**not met**"
        both = f"{m['lossBits']:.2f}, {p['lossBits']:.2f}" if m else f"–, {p['lossBits']:.2f}"
        # Equal counts on both sides say the two built the same model.
        count = str(p["parameters"]) if not m or m["parameters"] == p["parameters"] else \
            f"**{m['parameters']} ≠ {p['parameters']}**"
        lines.append(f"| {p['arch']} | {p['hidden']} | {p['streams']} | {p['window']} "
                     f"| {rate(m, 'samplesPerSecond')} ({rate(m, 'samplesPerSecondMedian')}) "
                     f"| {rate(p, 'samplesPerSecond')} ({rate(p, 'samplesPerSecondMedian')}) | {ratio_text} | {aim} "
                     f"| {ms(m)} | {ms(p)} | {both} | {count} |")
    if any(m is None for m, _ in training):
        lines += ["", "A `–` on the MusicRnn side: perf.json has no row of the same frame tier and sizes "
                      "(run both with the same --sample-batch/--batch and --sample-window/--seq)."]
    if generation:
        lines += [
            "",
            "## Free-running generation, × real time (16 kHz, all streams)",
            "",
            "MusicRnn: `SampleLevelSampler` (the sample tier per sample and the frame tier once per frame, both in "
            "managed SIMD code over weights copied once). PyTorch: a Python loop, the frame tier once per 16 samples, the MLP per sample, "
            "torch.multinomial per sample.",
            "",
            "| frame tier | streams | audio s per stream | MusicRnn × real time | PyTorch × real time | MusicRnn / PyTorch "
            "| MusicRnn ms | PyTorch ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for m, p in generation:
            ratio_text = f"{m['timesRealTime'] / p['timesRealTime']:.2f}×" if m else "–"
            mine_rt = f"{m['timesRealTime']:.2f} ({m['timesRealTimeMedian']:.2f})" if m else "–"
            lines.append(f"| {p['arch']} | {p['streams']} | {p['audioSeconds']:.2f} | {mine_rt} "
                         f"| {p['timesRealTime']:.2f} ({p['timesRealTimeMedian']:.2f}) | {ratio_text} | {ms(m)} | {ms(p)} |")
    return "\n".join(lines) + "\n"


def samples_perf_section(ours: dict, peer: dict, peer_md: str) -> str:
    training, generation = sample_pairs(ours, peer)
    lines = ["## PyTorch peer, sample level", "",
             f"bench/peer/run-samples.sh ran PyTorch {peer['torchVersion']} (BLAS `{peer['blas']}`) on the same "
             f"sample-level rows; the full comparison is in {peer_md}. Aim (issue 16): training at least "
             f"{SAMPLE_AIM:g}× PyTorch's samples/s.", "",
             "| row | MusicRnn | PyTorch | MusicRnn / PyTorch | aim |", "|---|---:|---:|---:|---|"]
    for m, p in training:
        if m:
            r = m["samplesPerSecond"] / p["samplesPerSecond"]
            lines.append(f"| training {p['arch']} ({p['streams']} × {p['window']}), samples/s | {m['samplesPerSecond']:.0f} "
                         f"| {p['samplesPerSecond']:.0f} | {r:.2f}× | {'met' if r >= SAMPLE_AIM else '**not met**'} |")
    for m, p in generation:
        if m:
            lines.append(f"| generation {p['arch']} × {p['streams']}, × real time | {m['timesRealTime']:.2f} "
                         f"| {p['timesRealTime']:.2f} | {m['timesRealTime'] / p['timesRealTime']:.2f}× | – |")
    return "\n".join(lines) + "\n"


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
    # The section's own heading line, so "## PyTorch peer" does not find "## PyTorch peer, sample level".
    heading = section.split("\n", 1)[0] + "\n"
    start = text.find(heading)
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
    samples = "sampleTraining" in peer
    text = (samples_markdown if samples else markdown)(ours, peer, argv[4] if len(argv) == 5 else "")
    with open(argv[3], "w") as f:
        f.write(text)
    print(text)
    if into:
        into_perf_md(into, (samples_perf_section if samples else perf_section)(ours, peer, argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
