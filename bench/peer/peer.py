#!/usr/bin/python3
"""The peer of `musicrnn perf`: the same architectures and workloads, written in PyTorch.

What is timed mirrors src/MusicRnn/Performance/PerfRunner.cs:

* forward + backward of ONE window: recurrent layer (input = hidden = H) + linear head
  (H -> H), input randn [T, B, H], loss = output.square().mean(), loss.backward();
* rows (names as in perf.json): rnn, lstm-peepholes, lstm-plain, gru-before, gru-after,
  cwrnn (16 modules, periods 2^i);
* free-running generation of a 1-layer peephole LSTM at 1024 (each prediction is the next
  input, no grad), in frames/s;
* the machine's float32 matmul rate (2048 x 2048), timed before the cells and once in every
  round of theirs, so its best run comes from the same stretch of machine load.

Each model is written the way a competent PyTorch user would write it: nn.RNN / nn.LSTM /
nn.GRU where PyTorch has the equations, and a per-step Python loop of the cell equations
where it does not (peephole LSTM, GRU with the reset gate before the recurrent product,
Clockwork RNN). TorchScript is PyTorch's own answer to per-step Python overhead, so each
custom loop is also timed scripted, as a second row named "<arch>/torchscript".

Run with Debian's interpreter, which has python3-torch: /usr/bin/python3 peer.py --help
"""

import argparse
import datetime
import json
import math
import os
import statistics
import sys
import time
from typing import List

import torch
import torch.nn.functional as F
from torch import Tensor, nn

ARCHITECTURES = ["rnn", "lstm-peepholes", "lstm-plain", "gru-before", "gru-after", "cwrnn"]
# The custom loops: these also get a TorchScript row.
CUSTOM = ["lstm-peepholes", "gru-before", "cwrnn"]
CLOCKWORK_MODULES = 16
REAL_TIME_FRAMES_PER_SECOND = 22050.0 / 1024
GENERATION_SIZE = 1024
# Untimed calls of a TorchScript row before the ordinary warm-up: the profiling executor
# records shapes on the first calls, then compiles the forward and (separately) the backward
# graph; with fewer calls the first timed run still pays for compilation.
SCRIPT_COMPILE_RUNS = 5


# ---------------------------------------------------------------------------------------
# The cell equations as per-step loops. Each takes the whole window's input projection
# W x_t + b_W, computed in one matmul up front (what any PyTorch user does first), except
# the CW-RNN, whose idle modules need no projection at all.
# ---------------------------------------------------------------------------------------

def peephole_lstm_loop(xw: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, b_hh: Tensor,
                       p_i: Tensor, p_f: Tensor, p_o: Tensor) -> Tensor:
    """Gers, Schraudolph & Schmidhuber (2002): gates i, f see c_{t-1}, gate o sees c_t.

    xw [T, B, 4H] (gate blocks i, f, g, o as in PyTorch); h, c [B, H]; returns h_t [T, B, H].
    """
    outputs: List[Tensor] = []
    for t in range(xw.size(0)):
        a_i, a_f, a_g, a_o = (xw[t] + F.linear(h, w_hh, b_hh)).chunk(4, 1)
        i = torch.sigmoid(a_i + p_i * c)
        f = torch.sigmoid(a_f + p_f * c)
        c = f * c + i * torch.tanh(a_g)
        o = torch.sigmoid(a_o + p_o * c)
        h = o * torch.tanh(c)
        outputs.append(h)
    return torch.stack(outputs)


def gru_before_loop(xw: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor) -> Tensor:
    """Cho et al. (2014): the reset gate multiplies h_{t-1} BEFORE U_n, so U_n h cannot be
    computed together with U_r h and U_z h (nn.GRU's "after" variant can).

    xw [T, B, 3H] (blocks r, z, n); h [B, H]; returns h_t [T, B, H].
    """
    hidden = h.size(1)
    u_rz, u_n = w_hh[:2 * hidden], w_hh[2 * hidden:]
    b_rz, b_n = b_hh[:2 * hidden], b_hh[2 * hidden:]
    outputs: List[Tensor] = []
    for t in range(xw.size(0)):
        x = xw[t]
        r, z = torch.sigmoid(x[:, :2 * hidden] + F.linear(h, u_rz, b_rz)).chunk(2, 1)
        n = torch.tanh(x[:, 2 * hidden:] + F.linear(r * h, u_n, b_n))
        h = (1 - z) * n + z * h
        outputs.append(h)
    return torch.stack(outputs)


def clockwork_loop(x: Tensor, h: Tensor, w_ih: Tensor, b_ih: Tensor, u: Tensor, b_hh: Tensor,
                   periods: List[int], clock: int) -> Tensor:
    """Koutník et al. (2014): module i (k = H/g units) updates when (clock + t) mod T_i == 0
    and hears modules j >= i; idle modules keep their state.

    With periods 2^i a module ticks only when every faster one does, so the active units
    are a prefix [0, m k) and each step computes only those rows (about 2 modules of 16 per
    step). u [H, H] is already masked (block upper triangular). x [T, B, I]; returns [T, B, H].
    """
    k = h.size(1) // len(periods)
    outputs: List[Tensor] = []
    for t in range(x.size(0)):
        m = 0
        while m < len(periods) and (clock + t) % periods[m] == 0:
            m += 1
        n = m * k
        if n > 0:
            a = F.linear(x[t], w_ih[:n], b_ih[:n]) + F.linear(h, u[:n], b_hh[:n])
            h = torch.cat([torch.tanh(a), h[:, n:]], 1)
        outputs.append(h)
    return torch.stack(outputs)


# TorchScript compiles the same loops to its interpreter: no Python per step.
peephole_lstm_script = torch.jit.script(peephole_lstm_loop)
gru_before_script = torch.jit.script(gru_before_loop)
clockwork_script = torch.jit.script(clockwork_loop)


# ---------------------------------------------------------------------------------------
# Models: a recurrent layer and a linear head, as MusicRnn's RecurrentModel.
# ---------------------------------------------------------------------------------------

class Fused(nn.Module):
    """nn.RNN (tanh) / nn.LSTM / nn.GRU and the head."""

    def __init__(self, kind: str, size: int):
        super().__init__()
        self.rnn = {"rnn": lambda: nn.RNN(size, size, nonlinearity="tanh"),
                    "lstm-plain": lambda: nn.LSTM(size, size),
                    "gru-after": lambda: nn.GRU(size, size)}[kind]()
        self.head = nn.Linear(size, size)

    def forward(self, x: Tensor) -> Tensor:
        # The state starts at zeros, as MusicRnn's forward(input, null).
        return self.head(self.rnn(x)[0])


class Custom(nn.Module):
    """A custom cell's parameters under PyTorch's flat names, run by a loop above."""

    def __init__(self, kind: str, size: int, scripted: bool):
        super().__init__()
        self.kind = kind
        gates = {"lstm-peepholes": 4, "gru-before": 3, "cwrnn": 1}[kind]
        bound = 1 / math.sqrt(size)
        self.weight_ih_l0 = nn.Parameter(torch.empty(gates * size, size).uniform_(-bound, bound))
        self.weight_hh_l0 = nn.Parameter(torch.empty(gates * size, size).uniform_(-bound, bound))
        self.bias_ih_l0 = nn.Parameter(torch.empty(gates * size).uniform_(-bound, bound))
        self.bias_hh_l0 = nn.Parameter(torch.empty(gates * size).uniform_(-bound, bound))
        if kind == "lstm-peepholes":
            self.peephole_i_l0 = nn.Parameter(torch.empty(size).uniform_(-0.1, 0.1))
            self.peephole_f_l0 = nn.Parameter(torch.empty(size).uniform_(-0.1, 0.1))
            self.peephole_o_l0 = nn.Parameter(torch.empty(size).uniform_(-0.1, 0.1))
        if kind == "cwrnn":
            # The paper's N(0, 0.1^2) weights, masked entries exactly 0 (as MusicRnn).
            self.periods = [1 << i for i in range(CLOCKWORK_MODULES)]
            module = torch.arange(size) // (size // CLOCKWORK_MODULES)
            # [H, H] in [out, in] layout: row i hears column j when module(j) >= module(i).
            self.register_buffer("mask", (module.unsqueeze(1) <= module.unsqueeze(0)).float())
            with torch.no_grad():
                for p in (self.weight_ih_l0, self.weight_hh_l0, self.bias_ih_l0):
                    p.normal_(0, 0.1)
                self.bias_hh_l0.zero_()
                self.weight_hh_l0.mul_(self.mask)
        self.head = nn.Linear(size, size)
        self.loops = {"lstm-peepholes": peephole_lstm_script if scripted else peephole_lstm_loop,
                      "gru-before": gru_before_script if scripted else gru_before_loop,
                      "cwrnn": clockwork_script if scripted else clockwork_loop}

    def forward(self, x: Tensor) -> Tensor:
        batch, size = x.size(1), self.head.in_features
        h = x.new_zeros(batch, size)
        if self.kind == "cwrnn":
            # The mask multiplies U in every forward pass so masked entries get zero gradient.
            u = self.weight_hh_l0 * self.mask
            hs = self.loops["cwrnn"](x, h, self.weight_ih_l0, self.bias_ih_l0, u, self.bias_hh_l0,
                                     self.periods, 0)
        else:
            # [T, B, I] -> [T, B, G H]: the whole window's input projection in one matmul.
            xw = F.linear(x, self.weight_ih_l0, self.bias_ih_l0)
            if self.kind == "lstm-peepholes":
                hs = self.loops["lstm-peepholes"](xw, h, x.new_zeros(batch, size), self.weight_hh_l0,
                                                  self.bias_hh_l0, self.peephole_i_l0,
                                                  self.peephole_f_l0, self.peephole_o_l0)
            else:
                hs = self.loops["gru-before"](xw, h, self.weight_hh_l0, self.bias_hh_l0)
        # [T, B, H] -> [T, B, O]
        return self.head(hs)


def build(name: str, size: int) -> nn.Module:
    kind, _, variant = name.partition("/")
    if kind in CUSTOM:
        return Custom(kind, size, scripted=variant == "torchscript")
    return Fused(kind, size)


# ---------------------------------------------------------------------------------------
# Free-running generation: each prediction is the next input.
# ---------------------------------------------------------------------------------------

def generate_loop(x: Tensor, h: Tensor, c: Tensor, w_ih: Tensor, b_ih: Tensor, w_hh: Tensor,
                  b_hh: Tensor, p_i: Tensor, p_f: Tensor, p_o: Tensor, w_y: Tensor, b_y: Tensor,
                  frames: int) -> Tensor:
    """Frame by frame: peephole LSTM step, head, prediction fed back. x, h, c [1, H]."""
    outputs: List[Tensor] = []
    for _ in range(frames):
        a_i, a_f, a_g, a_o = (F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)).chunk(4, 1)
        i = torch.sigmoid(a_i + p_i * c)
        f = torch.sigmoid(a_f + p_f * c)
        c = f * c + i * torch.tanh(a_g)
        o = torch.sigmoid(a_o + p_o * c)
        h = o * torch.tanh(c)
        x = F.linear(h, w_y, b_y)
        outputs.append(x)
    return torch.stack(outputs)


generate_script = torch.jit.script(generate_loop)


def generation_args(model: Custom, frames: int):
    size = model.head.in_features
    zeros = torch.zeros(1, size)
    return (zeros, zeros, zeros, model.weight_ih_l0, model.bias_ih_l0, model.weight_hh_l0,
            model.bias_hh_l0, model.peephole_i_l0, model.peephole_f_l0, model.peephole_o_l0,
            model.head.weight, model.head.bias, frames)


# ---------------------------------------------------------------------------------------
# Timing, as PerfRunner: warm-up runs, then timed runs interleaved across variants.
# ---------------------------------------------------------------------------------------

def milliseconds(work) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1e3


def timing(runs: List[float]) -> dict:
    return {"runs": runs, "median": statistics.median(runs), "best": min(runs)}


def forward_backward(model: nn.Module, x: Tensor) -> float:
    model.zero_grad(set_to_none=False)

    def work():
        model(x).square().mean().backward()
    return milliseconds(work)


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except OSError:
        return None


def write_results(path: str, command: str, started: str, load, matmul_size: int, matmul_runs: List[float], rows: dict) -> None:
    """Writes a peer's JSON: when and how it ran (command, torch, BLAS, threads, load, the machine's
    matmul rate at matmul_size) and then its own rows, the layout compare.py reads for every peer."""
    flops = 2.0 * matmul_size ** 3
    matmul = timing(matmul_runs)
    results = {
        "started": started,
        "command": command,
        "torchVersion": torch.__version__,
        "python": sys.version.split()[0],
        "blas": blas_library(),
        "threads": torch.get_num_threads(),
        "processorCount": os.cpu_count(),
        "loadAverage": load,
        "matmul": {"size": matmul_size, "milliseconds": matmul,
                   "gflopsBest": flops / matmul["best"] / 1e6,
                   "gflopsMedian": flops / matmul["median"] / 1e6},
        **rows,
    }
    with open(path, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")


def blas_library() -> str:
    """The shared object whose sgemm_ libtorch calls: Debian's torch binds the system BLAS
    (libblas.so.3, whichever library the path or the alternatives put first), so the one
    loaded can differ from run to run. Found as dlsym would from libtorch_cpu, then dladdr."""
    import ctypes

    class DlInfo(ctypes.Structure):
        _fields_ = [("fname", ctypes.c_char_p), ("fbase", ctypes.c_void_p),
                    ("sname", ctypes.c_char_p), ("saddr", ctypes.c_void_p)]
    try:
        torch_cpu = ctypes.CDLL(os.path.join(os.path.dirname(torch.__file__), "lib", "libtorch_cpu.so"))
        address = ctypes.cast(torch_cpu.sgemm_, ctypes.c_void_p)
        info = DlInfo()
        if ctypes.CDLL(None).dladdr(address, ctypes.byref(info)):
            return os.path.realpath(info.fname.decode())
    except (OSError, AttributeError):
        pass
    return "unknown"


def check() -> int:
    """Proves the loops compute the equations they claim, in float64 on small sizes, against
    independent formulations: the peephole LSTM with zero peepholes against nn.LSTM, the
    CW-RNN's prefix loop against a dense masked loop that blends by the active units, the
    GRU-before loop against the step written out by hand, every script against its loop."""
    torch.manual_seed(1)
    size, steps, batch = 32, 9, 3
    failures, checked = [], []

    def close(label, a, b):
        checked.append(label)
        ok = torch.allclose(a, b, rtol=1e-9, atol=1e-10)
        print(f"{'ok  ' if ok else 'FAIL'} {label}: max |diff| {(a - b).abs().max().item():.2e}")
        if not ok:
            failures.append(label)

    x = torch.randn(steps, batch, size, dtype=torch.float64)
    # Peephole LSTM with zero peepholes is nn.LSTM.
    lstm = Custom("lstm-peepholes", size, scripted=False).double()
    with torch.no_grad():
        for p in (lstm.peephole_i_l0, lstm.peephole_f_l0, lstm.peephole_o_l0):
            p.zero_()
    reference = nn.LSTM(size, size).double()
    reference.load_state_dict({k: v for k, v in lstm.state_dict().items() if not k.startswith(("peephole", "head"))})
    close("lstm-peepholes (p = 0) vs nn.LSTM", lstm.head(reference(x)[0]), lstm(x))
    # CW-RNN: prefix loop vs the dense masked step blended by the active units.
    cw = Custom("cwrnn", size, scripted=False).double()
    k = size // CLOCKWORK_MODULES
    u = cw.weight_hh_l0 * cw.mask
    h = torch.zeros(batch, size, dtype=torch.float64)
    dense = []
    for t in range(steps):
        active = torch.tensor([t % cw.periods[j // k] == 0 for j in range(size)])
        candidate = torch.tanh(F.linear(x[t], cw.weight_ih_l0, cw.bias_ih_l0) + F.linear(h, u, cw.bias_hh_l0))
        h = torch.where(active, candidate, h)
        dense.append(h)
    close("cwrnn prefix loop vs dense masked loop", cw.head(torch.stack(dense)), cw(x))
    # GRU, reset before: one step by hand from a non-zero state.
    gru = Custom("gru-before", size, scripted=False).double()
    h0 = torch.randn(batch, size, dtype=torch.float64)
    w, u, bw, bu = gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0
    blocks = lambda m: m.chunk(3, 0)
    (wr, wz, wn), (ur, uz, un), (br, bz, bn), (cr, cz, cn) = blocks(w), blocks(u), blocks(bw), blocks(bu)
    r = torch.sigmoid(x[0] @ wr.T + br + h0 @ ur.T + cr)
    z = torch.sigmoid(x[0] @ wz.T + bz + h0 @ uz.T + cz)
    n = torch.tanh(x[0] @ wn.T + bn + (r * h0) @ un.T + cn)
    close("gru-before loop vs one step by hand", (1 - z) * n + z * h0,
          gru_before_loop(F.linear(x[:1], w, bw), h0, u, bu)[0])
    # Every script against its loop, forward and gradients.
    for kind in CUSTOM:
        plain = Custom(kind, size, scripted=False).double()
        script = Custom(kind, size, scripted=True).double()
        script.load_state_dict(plain.state_dict())
        for _ in range(SCRIPT_COMPILE_RUNS):
            script(x).square().mean().backward()
        script.zero_grad()
        plain(x).square().mean().backward()
        script(x).square().mean().backward()
        close(f"{kind}/torchscript vs loop (gradient of U)", plain.weight_hh_l0.grad, script.weight_hh_l0.grad)
    gen = Custom("lstm-peepholes", size, scripted=False).double()
    gen_args = list(generation_args(gen, 7))
    gen_args[:3] = [t.double() for t in gen_args[:3]]
    with torch.no_grad():
        for _ in range(SCRIPT_COMPILE_RUNS):
            generate_script(*gen_args)
        close("generation script vs loop", generate_loop(*gen_args), generate_script(*gen_args))
    print(f"{len(checked) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


def ints(text: str) -> List[int]:
    return [int(v) for v in text.split(",") if v.strip()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archs", default=",".join(ARCHITECTURES),
                        help="comma-separated: " + ", ".join(ARCHITECTURES) + " (custom ones also as <arch>/torchscript)")
    parser.add_argument("--hidden", default="1024", help="hidden sizes, comma-separated (input = hidden)")
    parser.add_argument("--window", default="100", help="window lengths, comma-separated")
    parser.add_argument("--batch", default="1", help="batch sizes, comma-separated")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per measurement")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first")
    parser.add_argument("--matmul", type=int, default=2048, help="side of the square matmul")
    parser.add_argument("--generate", type=int, default=400, help="frames of free-running generation (0 = skip)")
    parser.add_argument("--no-torchscript", action="store_true", help="skip the TorchScript rows")
    parser.add_argument("--seed", type=int, default=0, help="torch.manual_seed")
    parser.add_argument("--out", default="pytorch.json", help="JSON results file")
    parser.add_argument("--check", action="store_true", help="prove the loops' equations (float64, small) and exit")
    args = parser.parse_args(argv)
    if args.check:
        return check()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    names = [n.strip() for n in args.archs.split(",") if n.strip()]
    for n in names:
        if n.partition("/")[0] not in ARCHITECTURES:
            parser.error(f"--archs: unknown architecture '{n}'")
    if not args.no_torchscript:
        names += [f"{n}/torchscript" for n in names if n in CUSTOM and f"{n}/torchscript" not in names]
    hiddens, windows, batches = ints(args.hidden), ints(args.window), ints(args.batch)
    if any(h % CLOCKWORK_MODULES for h in hiddens) and "cwrnn" in names:
        parser.error(f"--hidden: the CW-RNN has {CLOCKWORK_MODULES} modules, so sizes must be multiples of it")

    started = datetime.datetime.now(datetime.timezone.utc).isoformat()
    load = load_average()
    log = lambda text: print(text, file=sys.stderr, flush=True)

    a, b = torch.randn(args.matmul, args.matmul), torch.randn(args.matmul, args.matmul)
    matmul_runs = []
    for r in range(args.warmup + args.repeats):
        ms = milliseconds(lambda: a.mm(b))
        if r >= args.warmup:
            matmul_runs.append(ms)

    cells = []
    for size in hiddens:
        for window in windows:
            for batch in batches:
                models = [build(n, size) for n in names]
                x = torch.randn(window, batch, size)
                for n, model in zip(names, models):
                    if n.endswith("/torchscript"):
                        # The profiling executor specialises a script on its first calls:
                        # compilation, not running, so it stays out of the timed (and
                        # the ordinary warm-up) runs.
                        for _ in range(SCRIPT_COMPILE_RUNS):
                            forward_backward(model, x)
                runs = [[] for _ in names]
                for r in range(args.warmup + args.repeats):
                    ms = milliseconds(lambda: a.mm(b))
                    if r >= args.warmup:
                        matmul_runs.append(ms)
                    for v, model in enumerate(models):
                        ms = forward_backward(model, x)
                        if r >= args.warmup:
                            runs[v].append(ms)
                        log(f"{names[v]} h{size} T{window} B{batch}: {ms:.1f} ms")
                for n, v in zip(names, runs):
                    cells.append({"name": n, "hidden": size, "window": window, "batch": batch,
                                  "milliseconds": timing(v)})

    generation = []
    if args.generate > 0:
        model = Custom("lstm-peepholes", GENERATION_SIZE, scripted=False)
        ways = [("lstm-peepholes, 1 layer, 1024: Python loop frame by frame", generate_loop)]
        if not args.no_torchscript:
            ways.append(("lstm-peepholes, 1 layer, 1024: TorchScript loop frame by frame", generate_script))
        gen_args = generation_args(model, args.generate)
        runs = [[] for _ in ways]
        with torch.no_grad():
            if not args.no_torchscript:
                for _ in range(SCRIPT_COMPILE_RUNS):
                    generate_script(*gen_args)
            for r in range(args.warmup + args.repeats):
                for w, (label, loop) in enumerate(ways):
                    ms = milliseconds(lambda: loop(*gen_args))
                    if r >= args.warmup:
                        runs[w].append(ms)
                    log(f"{label}: {ms:.1f} ms")
        for (label, _), v in zip(ways, runs):
            fps = args.generate / (min(v) / 1e3)
            generation.append({"model": label, "frames": args.generate, "milliseconds": timing(v),
                               "framesPerSecond": fps,
                               "timesRealTime": fps / REAL_TIME_FRAMES_PER_SECOND})

    write_results(args.out, "peer.py " + " ".join(sys.argv[1:] if argv is None else argv), started, load,
                  args.matmul, matmul_runs, {"cells": cells, "generation": generation})
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
