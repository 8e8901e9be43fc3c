"""Checks that PyTorch, given only a checkpoint folder, predicts what MusicRnn predicted.

    /usr/bin/python3 tests/interop/check.py [--tolerance 1e-5] [--float64] RUN [RUN ...]

Each RUN is a folder holding checkpoint/ (written by `musicrnn train`) and predictions.safetensors
(written by `musicrnn generate --teacher-forced SONG --predictions FILE`: the model-space frames
MusicRnn fed, "inputs", and what it predicted, "predictions"). The model is built by
musicrnn_torch.load from the checkpoint alone, run over the inputs in one pass from the zero state,
and compared with MusicRnn's predictions. Prints the largest |difference| of every run and of every
architecture; exits 1 when one passes the tolerance.
"""

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import musicrnn_torch  # noqa: E402


def label(spec):
    """The architecture as the table names it: arch plus the variant where it is not the default."""
    arch = spec["arch"]
    if spec.get("readout", "plain") != "plain":
        return f"{label(dict(spec, readout='plain'))}-{spec['readout']}"
    if spec.get("sample_level"):
        return f"samplernn-{spec['sample_level']['tiers']}tier-{label(dict(spec, sample_level=None))}"
    if arch == "lstm":
        return "lstm" if spec["peepholes"] else "lstm-plain"
    if arch == "gru":
        return "gru" if spec["gru_reset"] == "before" else "gru-after"
    name = arch
    if arch in ("rnn", "cwrnn", "mlp") and spec["activation"] != "tanh":
        name += "-" + spec["activation"]
    if arch == "cwrnn" and spec["periods"] is not None:
        name += "-periods"
    return name


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    parser.add_argument("--float64", action="store_true", help="run the PyTorch model in float64")
    args = parser.parse_args()
    torch.set_num_threads(1)
    dtype = torch.float64 if args.float64 else torch.float32

    worst = {}
    print(f"{'run':<28} {'architecture':<26} {'layers':>6} {'frames':>7} {'features':>8} {'max |diff|':>11}")
    for run in args.runs:
        model, config, _ = musicrnn_torch.load(run, dtype)
        spec = config["model"]
        stored = musicrnn_torch.read_safetensors(os.path.join(run, "predictions.safetensors"))
        inputs, expected = stored["inputs"].to(dtype), stored["predictions"].to(dtype)
        with torch.no_grad():
            if spec.get("sample_level"):
                predicted, _ = model(inputs.reshape(-1, 1))               # levels [T, 1]
            else:
                predicted, _ = model(inputs.unsqueeze(1))                 # [T, 1, I]: time-major, one stream
        predicted = predicted.reshape(expected.shape)
        gap = (predicted - expected).abs().max().item()
        gap = float("inf") if gap != gap else gap   # a NaN anywhere fails, and max() would drop it
        name = label(spec)
        worst[name] = max(worst.get(name, 0.0), gap)
        print(f"{os.path.basename(os.path.normpath(run)):<28} {name:<26} {spec['layers']:>6} {expected.shape[0]:>7} "
              f"{expected.shape[1]:>8} {gap:>11.3g}")

    print()
    print(f"largest |PyTorch - MusicRnn| per architecture ({'float64' if args.float64 else 'float32'} PyTorch, "
          f"tolerance {args.tolerance:g}):")
    failed = False
    for name, gap in worst.items():
        ok = gap <= args.tolerance
        failed |= not ok
        print(f"  {name:<26} {gap:.3g}{'' if ok else '  FAIL'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
