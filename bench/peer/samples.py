#!/usr/bin/python3
"""The PyTorch peer of `musicrnn perf`'s sample-level rows: the same model, the same training
update and free-running generation, written in PyTorch.

What is timed mirrors src/MusicRnn/Performance/SampleTrainingSpeed.cs and
SampleGenerationSpeed.cs:

* the model: SampleRNN's 2-tier model as `train --predict samples --arch X` builds it (256
  levels, frame tier of one layer of H = 256 over frames of F = 16 samples, upsampled per
  position, per-position embeddings summed into an MLP of D = 256), its parameters and equations
  those of tests/interop/musicrnn_torch.py's SampleRnn (proved equal to MusicRnn's forward there),
  imported from it. Frame tiers: rnn (nn.RNN, tanh), gru (nn.GRU: MusicRnn's sample-level GRU has
  the reset gate after the product, PyTorch's equations), lstm (peephole LSTM: the interop file's
  per-step loop, nn.LSTM has no peepholes) and cwrnn (8 modules of periods 2^i: the interop
  file's per-step loop);
* one training update: forward over B streams x T samples from the state the previous update
  ended in (detached), cross-entropy in bits, backward, clip_grad_norm_(1), Adam(lr 1e-3) step,
  on a stand-in song of uniform levels laid out as MusicRnn's trainer lays out a song's windows
  (stream s reads the s-th contiguous run); warm-up updates first, then timed ones, rounds
  interleaved across the frame tiers; samples/s = B T / seconds of the best update;
* free-running generation (no grad): the frame tier once per F samples over the last F levels,
  the sample tier per sample, the next level drawn by torch.multinomial; a Python loop, one
  stream and several; x real time = audio seconds of all streams (16 kHz) per wall second;
* the machine's float32 matmul rate (2048 x 2048) before the rest, as `musicrnn perf` times it.

`--check` proves that the carried-state forward over uneven windows equals the interop model
over the whole song, and that the generation loop's logits equal that forward's over the levels
it drew (in float32, the interop model's dtype for levels, to 1e-5).

Run with Debian's interpreter, which has python3-torch: /usr/bin/python3 samples.py --help
"""

import argparse
import datetime
import math
import os
import sys
import time
from typing import List

import torch
import torch.nn.functional as F
from torch import Tensor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "interop"))
sys.path.insert(0, HERE)
import musicrnn_torch as interop  # noqa: E402
from peer import load_average, milliseconds, timing, write_results  # noqa: E402

ARCHITECTURES = ["rnn", "lstm", "gru", "cwrnn"]
SAMPLE_RATE = 16000
LN2 = math.log(2)


def spec_for(arch: str, hidden: int, mlp: int, frame: int = 16, levels: int = 256) -> dict:
    """The model of `train --predict samples --arch ARCH` (SampleLevelDefaults.ModelFor), as a
    checkpoint's config.json would spell it: every architecture's own spec defaults (peepholes,
    tanh, 8 CW-RNN modules of periods 2^i), the GRU's reset gate after the product."""
    return {"arch": arch, "input_size": 1, "output_size": levels, "hidden_size": hidden, "layers": 1,
            "activation": "tanh", "peepholes": True, "gru_reset": "after", "modules": 8, "periods": None,
            "sample_level": {"tiers": 2, "frame_size": frame, "top_ratio": 4, "levels": levels, "mlp_size": mlp}}


def detached(state):
    """The state cut from the graph: truncated BPTT, as MusicRnn's ModelState.Detach."""
    if isinstance(state, Tensor):
        return state.detach()
    if isinstance(state, (tuple, list)):
        return type(state)(detached(s) for s in state)
    return state


class CarriedSampleRnn(interop.SampleRnn):
    """The interop SampleRnn (2 tiers) run window by window with its state carried, as MusicRnn's
    SampleRnnModel.forward(input, state) runs it.

    State: (the frame tier's state, the last F levels [B, F], the conditioning of the current
    frame's F targets [B, F, D], the clock: song positions read so far). Parameters are
    initialised here as MusicRnn initialises them (the interop file leaves its own loops'
    parameters to a checkpoint).
    """

    def __init__(self, spec):
        super().__init__(spec)
        assert self.tiers == 2, "the peer runs the 2-tier model"
        self.register_buffer("offsets", torch.arange(self.F) * self.L, persistent=False)   # k L: position k's embedding rows
        with torch.no_grad():
            self.embedding.weight.mul_(1 / math.sqrt(self.F))   # N(0, 1) scaled to the MLP's fan-in of F rows
            rnn = self.frame_rnn
            if isinstance(rnn, interop.RecurrentLayers):
                bound = 1 / math.sqrt(self.H)
                for name, p in rnn.named_parameters():
                    if rnn.cell == "cwrnn":
                        # Koutnik et al.'s N(0, 0.1^2), the recurrent bias 0, masked weights exactly 0.
                        p.normal_(0, 0.1) if name != "bias_hh_l0" else p.zero_()
                    else:
                        p.uniform_(-bound, bound)
                if rnn.cell == "cwrnn":
                    rnn.weight_hh_l0.mul_(rnn.mask)

    def initial_state(self, batch: int, device=None):
        """The frame tier ticked once over the silence before the song, as MusicRnn's InitialState."""
        silence = torch.full((batch, self.F), self.L // 2, dtype=torch.long, device=device)
        h, rnn_state = self.frame_rnn(self.scaled(silence.to(self.embedding.weight.dtype)).unsqueeze(0))
        condition = self.frame_upsample(h[0]).view(batch, self.F, self.D)
        return rnn_state, silence, condition, 0

    def carried(self, levels: Tensor, state):
        """levels [T, B] (long) after the state -> (logits [T, B, L] of each next level, the state after)."""
        T, B = levels.shape
        F_, D = self.F, self.D
        rnn_state, past, condition, clock = state if state is not None else self.initial_state(B, levels.device)
        context = torch.cat([past.t(), levels])                         # [F + T, B]: song position q at q - clock + F
        since = clock % F_
        ticks = (since + T) // F_
        conditions = condition.unsqueeze(0)                             # [1, B, F, D]
        if ticks > 0:
            frames = context[F_ - since:F_ - since + ticks * F_].view(ticks, F_, B).permute(0, 2, 1)   # [J, B, F]
            h, rnn_state = self.frame_rnn(self.scaled(frames.to(condition.dtype)), rnn_state)       # [J, B, H]
            upsampled = self.frame_upsample(h).view(ticks, B, F_, D)
            conditions = torch.cat([conditions, upsampled])
            condition = upsampled[-1]
        # Target s = t + 1 sits at s - (start of the carried frame) in the conditionings end to end.
        per_target = conditions.permute(1, 0, 2, 3).reshape(B, -1, D)[:, since + 1:since + 1 + T].transpose(0, 1)
        previous = context[1:T + F_].unfold(0, F_, 1)                   # [T, B, F]: the F levels before each target
        a = self.embedding((previous + self.offsets).reshape(T * B, F_)).view(T, B, D) + per_target
        logits = self.sample_mlp(torch.relu(a))
        return logits, (rnn_state, context[T:T + F_].t(), condition, clock + T)


class TrainingUpdate:
    """One model, its Adam and its stand-in song, stepping one training update at a time."""

    def __init__(self, arch: str, hidden: int, mlp: int, streams: int, window: int, steps: int):
        self.arch, self.streams, self.window, self.steps = arch, streams, window, steps
        self.model = CarriedSampleRnn(spec_for(arch, hidden, mlp))
        self.model.train()
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        song = torch.randint(0, self.model.L, (streams * window * steps + 1,))
        # Stream s reads the s-th contiguous run of the song, its target the same run one sample on.
        self.inputs = song[:-1].view(streams, steps * window)
        self.targets = song[1:].view(streams, steps * window)
        self.state, self.position, self.loss = None, 0, math.nan

    def step(self) -> float:
        """Milliseconds of one update."""
        def work():
            if self.position == self.steps:   # the song is over: the next starts from silence
                self.state, self.position = None, 0
            span = slice(self.position * self.window, (self.position + 1) * self.window)
            logits, state = self.model.carried(self.inputs[:, span].t(), self.state)
            loss = F.cross_entropy(logits.reshape(-1, self.model.L), self.targets[:, span].t().reshape(-1)) / LN2
            self.optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            self.optimizer.step()
            self.loss = loss.item()
            self.state = detached(state)
            self.position += 1
        return milliseconds(work)


@torch.no_grad()
def generate(model: CarriedSampleRnn, streams: int, samples: int, generator: torch.Generator, seen=None) -> Tensor:
    """Free-running generation from silence: [samples, streams] levels."""
    rnn_state, previous, condition, _ = model.initial_state(streams)
    out = torch.empty(samples, streams, dtype=torch.long)
    for n in range(samples):
        i = n % model.F
        if i == 0 and n > 0:
            # The frame just completed is the last F levels: the frame tier ticks over it.
            h, rnn_state = model.frame_rnn(model.scaled(previous.to(condition.dtype)).unsqueeze(0), rnn_state)
            condition = model.frame_upsample(h[0]).view(streams, model.F, model.D)
        a = model.embedding(previous + model.offsets) + condition[:, i]
        logits = model.sample_mlp(torch.relu(a))
        if seen is not None:
            seen(logits)
        level = torch.multinomial(torch.softmax(logits, -1), 1, generator=generator)   # [B, 1]
        previous = torch.cat([previous[:, 1:], level], 1)
        out[n] = level[:, 0]
    return out


def check() -> int:
    """Proves the carried forward and the generation loop against the interop model."""
    torch.manual_seed(1)
    failures, checked = [], []

    def close(label, a, b):
        checked.append(label)
        ok = torch.allclose(a, b, rtol=1e-5, atol=1e-5)
        print(f"{'ok  ' if ok else 'FAIL'} {label}: max |diff| {(a - b).abs().max().item():.2e}")
        if not ok:
            failures.append(label)

    batch, length, windows = 3, 53, [7, 13, 33]
    for arch in ARCHITECTURES:
        model = CarriedSampleRnn(spec_for(arch, hidden=16, mlp=12, frame=4, levels=16))
        song = torch.randint(0, 16, (length, batch))
        whole, _ = interop.SampleRnn.forward(model, song)
        parts, state, start = [], None, 0
        for w in windows:
            logits, state = model.carried(song[start:start + w], state)
            parts.append(logits)
            state, start = detached(state), start + w
        close(f"{arch}: carried over windows {windows} vs the interop model over the song", whole, torch.cat(parts))
        drawn = []
        levels = generate(model, batch, 23, torch.Generator().manual_seed(2), seen=drawn.append)
        forward, _ = interop.SampleRnn.forward(model, levels)
        # The loop's logits of level n are the forward's output at n - 1 (level 0 follows silence alone).
        close(f"{arch}: generation loop's logits vs the interop model over the levels drawn",
              forward[:-1], torch.stack(drawn[1:]))
    print(f"{len(checked) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archs", default=",".join(ARCHITECTURES), help="frame tiers, comma-separated: " + ", ".join(ARCHITECTURES))
    parser.add_argument("--hidden", type=int, default=256, help="frame tier's hidden units (MusicRnn's default: 256)")
    parser.add_argument("--mlp", type=int, default=256, help="sample tier's width (MusicRnn's default: 256)")
    parser.add_argument("--batch", type=int, default=32, help="streams per training update (musicrnn perf --sample-batch)")
    parser.add_argument("--seq", type=int, default=1024, help="samples per stream per update (musicrnn perf --sample-window)")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--repeats", type=int, default=5, help="timed training updates per tier (musicrnn perf --sample-training) and timed generation runs (--repeats)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed training updates first")
    parser.add_argument("--samples", type=float, default=2, help="seconds of audio per stream per timed generation run (0 = skip)")
    parser.add_argument("--sample-streams", type=int, default=4, help="streams of the second generation row")
    parser.add_argument("--matmul", type=int, default=2048, help="side of the square matmul")
    parser.add_argument("--seed", type=int, default=0, help="torch.manual_seed")
    parser.add_argument("--out", default="pytorch-samples.json", help="JSON results file")
    parser.add_argument("--check", action="store_true", help="prove the carried forward and the generation loop (small sizes) and exit")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    archs = [a.strip() for a in args.archs.split(",") if a.strip()]
    for a in archs:
        if a not in ARCHITECTURES:
            parser.error(f"--archs: unknown frame tier '{a}'")
    if "cwrnn" in archs and args.hidden % 8:
        parser.error("--hidden: the CW-RNN has 8 modules, so the hidden size must be a multiple of 8")
    for name in ("batch", "seq", "repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name}: expected at least 1")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    started = datetime.datetime.now(datetime.timezone.utc).isoformat()
    load = load_average()
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731

    a, b = torch.randn(args.matmul, args.matmul), torch.randn(args.matmul, args.matmul)
    matmul_runs = []
    for r in range(args.warmup + args.repeats):
        ms = milliseconds(lambda: a.mm(b))
        if r >= args.warmup:
            matmul_runs.append(ms)
    del a, b

    updates = [TrainingUpdate(arch, args.hidden, args.mlp, args.batch, args.seq, args.warmup + args.repeats) for arch in archs]
    runs: List[List[float]] = [[] for _ in archs]
    for r in range(args.warmup + args.repeats):
        for u, update in enumerate(updates):
            ms = update.step()
            if r >= args.warmup:
                runs[u].append(ms)
            log(f"training {update.arch} B{args.batch} T{args.seq}: {ms:.1f} ms, {update.loss:.3f} bits")
    per_update = args.batch * args.seq
    training = []
    for update, v in zip(updates, runs):
        t = timing(v)
        training.append({"arch": update.arch, "hidden": args.hidden, "mlpSize": args.mlp, "streams": args.batch,
                         "window": args.seq, "samplesPerUpdate": per_update,
                         "parameters": sum(p.numel() for p in update.model.parameters()),
                         "milliseconds": t, "samplesPerSecond": per_update / (t["best"] / 1e3),
                         "samplesPerSecondMedian": per_update / (t["median"] / 1e3), "lossBits": update.loss})
    models = {u.arch: u.model for u in updates}
    del updates

    generation = []
    if args.samples > 0:
        count = round(args.samples * SAMPLE_RATE)
        for arch in archs:
            model = models[arch].eval()
            for streams in ([1, args.sample_streams] if args.sample_streams > 1 else [1]):
                generate(model, streams, min(count, 1024), torch.Generator().manual_seed(0))
                v = []
                for r in range(args.repeats):
                    v.append(milliseconds(lambda: generate(model, streams, count, torch.Generator().manual_seed(r))))
                    log(f"generation {arch} x {streams}: {v[-1]:.0f} ms")
                t = timing(v)
                seconds = count * streams / SAMPLE_RATE
                generation.append({"arch": arch, "streams": streams, "audioSeconds": args.samples, "milliseconds": t,
                                   "samplesPerSecond": count * streams / (t["best"] / 1e3),
                                   "timesRealTime": seconds / (t["best"] / 1e3),
                                   "timesRealTimeMedian": seconds / (t["median"] / 1e3)})

    write_results(args.out, "samples.py " + " ".join(sys.argv[1:] if argv is None else argv), started, load,
                  args.matmul, matmul_runs, {"sampleTraining": training, "sampleGeneration": generation})
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
