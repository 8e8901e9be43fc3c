#!/usr/bin/env bash
# PyTorch loads MusicRnn's checkpoints (issue 18, item 1): trains tiny checkpoints of every
# recurrent architecture at 1 and 2 layers (and the variants torch.nn has built in), runs
# `musicrnn generate --teacher-forced SONG --predictions FILE` on each, and has check.py rebuild
# each model in PyTorch from its checkpoint folder alone and compare the predictions. Prints the
# largest |difference| per architecture; exits non-zero above the tolerance (1e-5).
#
#   tests/interop/run.sh [--out DIR] [--tolerance 1e-5]
#
# Needs the CLI built (dotnet build MusicRnn.sln -c Release) and /usr/bin/python3 with torch
# (Debian's python3-torch). Each model trains for one epoch on a 4-second synthesized track at
# 8 kHz (seconds each, one thread); untrained-looking weights are enough, since what is checked
# is that the two implementations compute the same function of them.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out= tolerance=1e-5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=$2 ;;
    --tolerance) tolerance=$2 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
if [[ -z $out ]]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
cli=$root/src/MusicRnn.Cli/bin/Release/net10.0/MusicRnn.Cli.dll
[[ -f $cli ]] || { echo "run.sh: $cli is not built (dotnet build MusicRnn.sln -c Release)" >&2; exit 2; }
musicrnn() { dotnet "$cli" "$@"; }
python=${PYTHON:-/usr/bin/python3}

song=$out/song.wav
musicrnn synth --out "$song" --seconds 4 --sample-rate 8000 --seed 1 >/dev/null
# 4 s of 64-sample rfft frames: 500 frames, so teacher forcing runs two chunks of 256 and the
# state (and the CW-RNN's clock) is carried between them.
# At the essay's learning rate, so one epoch moves a residual readout's head well away from its zero start.
common=(--audio "$song" --sample-rate 8000 --hidden 16 --epochs 1 --window 20 --stride 10 --lr 0.001 --threads 1 --device cpu -q)
codec=(--codec rfft --frame 64)

run() {   # name, train options...
  local name=$1; shift
  musicrnn train --out "$out/$name" "${common[@]}" "${codec[@]}" "$@" >/dev/null
  musicrnn generate --model "$out/$name" --teacher-forced "$song" --out "$out/$name/forced.wav" \
    --predictions "$out/$name/predictions.safetensors" --threads 1 --device cpu -q >/dev/null
  runs+=("$out/$name")
}

runs=()
for layers in 1 2; do
  run "rnn-$layers" --arch rnn --layers "$layers"
  run "lstm-$layers" --arch lstm --layers "$layers"
  run "gru-$layers" --arch gru --layers "$layers"
  run "cwrnn-$layers" --arch cwrnn --layers "$layers" --modules 4
done
# The variants: torch.nn's own modules (tanh RNN above; plain LSTM, GRU with reset after), the
# sigmoid RNN, a CW-RNN whose periods do not divide each other (MusicRnn's general path), 3 layers.
run lstm-plain-2 --arch lstm --layers 2 --peepholes false
run gru-after-2 --arch gru --layers 2 --gru-reset after
run rnn-sigmoid-2 --arch rnn --layers 2 --activation sigmoid
run cwrnn-periods-2 --arch cwrnn --layers 2 --modules 4 --periods 1 3 5 7
run lstm-3 --arch lstm --layers 3
# The readouts: train's default above (the scaled skip from the input frame; mlp and logreg the plain
# head), the plain head of the essay and the residual skip without gains.
run rnn-plain-1 --arch rnn --layers 1 --readout plain
run lstm-plain-readout-2 --arch lstm --layers 2 --readout plain
run gru-residual-1 --arch gru --layers 1 --readout residual
run cwrnn-residual-2 --arch cwrnn --layers 2 --modules 4 --readout residual
run mlp-2 --arch mlp --layers 2
run logreg --arch logreg --layers 0

# The sample-level model, once `train` builds it (--tiers): 2 and 3 tiers on 16-level mu-law.
if musicrnn train --help | grep -q -- '--tiers'; then
  codec=(--predict samples --quantize mulaw --levels 16)
  run samplernn-2tier-lstm --arch lstm --tiers 2 --sample-frame 4 --mlp 8
  run samplernn-3tier-gru --arch gru --tiers 3 --sample-frame 4 --top-ratio 2 --mlp 8
fi

"$python" "$root/tests/interop/check.py" --tolerance "$tolerance" "${runs[@]}"
