#!/usr/bin/env bash
# Runs `musicrnn perf`'s sample-level rows (training samples/s and generation × real time, per
# frame tier) and their PyTorch peer (samples.py) with the same settings, one after the other,
# and writes OUT/peer-samples.md: MusicRnn / PyTorch per frame tier.
#
#   bench/peer/run-samples.sh [--batch 32] [--seq 1024] [--threads 2] [--repeats 5] [--warmup 1]
#                             [--samples 2] [--sample-streams 4] [--matmul 2048]
#                             [--blas blis[,openblas,system]] [--out bench/peer/out-samples]
#
# --batch and --seq are the training update's streams and samples per stream (perf
# --sample-batch, --sample-window; train's defaults); --repeats is both the timed updates per
# tier (perf --sample-training) and the timed generation runs; --samples the seconds of audio per
# stream of each generation run (0 skips generation on both sides). The model is the default
# sample-level model on both sides (hidden 256, MLP 256). --blas as in run.sh: the BLAS under
# Debian's torch, one PyTorch run per library. Writes OUT/musicrnn/perf.json (and perf.md, with
# a "PyTorch peer, sample level" section), OUT/pytorch-samples-<blas>.json and
# OUT/peer-samples-<blas>.md, and pytorch-samples.json / peer-samples.md for the first library.
# A smoke check of the whole chain, in seconds:
#   bench/peer/run-samples.sh --batch 2 --seq 64 --repeats 1 --samples 0.05 --matmul 256 --out /tmp/peer-smoke
set -euo pipefail
source "$(dirname "$0")/peers.sh"

batch=32 seq=1024 threads=2 repeats=5 warmup=1 samples=2 streams=4 matmul=2048 out= blas=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --batch) batch=$2 ;;
    --seq) seq=$2 ;;
    --threads) threads=$2 ;;
    --repeats) repeats=$2 ;;
    --warmup) warmup=$2 ;;
    --samples) samples=$2 ;;
    --sample-streams) streams=$2 ;;
    --matmul) matmul=$2 ;;
    --out) out=$2 ;;
    --blas) blas=$2 ;;
    *) echo "run-samples.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
[[ -n $blas ]] || blas=$(default_blas run-samples.sh)

root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/bench/peer"
out=${out:-$root/bench/peer/out-samples}
mkdir -p "$out"
out=$(cd "$out" && pwd)
perf=(--no-cells --no-essay --generate 0 --griffin-lim 0 --sample-training "$repeats" --sample-batch "$batch"
      --sample-window "$seq" --samples "$samples" --sample-streams "$streams" --repeats "$repeats"
      --warmup "$warmup" --matmul "$matmul" --threads "$threads")
peer=(--batch "$batch" --seq "$seq" --threads "$threads" --repeats "$repeats" --warmup "$warmup"
      --samples "$samples" --sample-streams "$streams" --matmul "$matmul")
settings="--batch $batch --seq $seq --threads $threads --repeats $repeats --warmup $warmup --samples $samples --sample-streams $streams --matmul $matmul"

echo "== $(date -u +%FT%TZ) uptime: $(uptime)"
musicrnn_cli "$root"
echo "== MusicRnn: ${musicrnn[*]} perf ${perf[*]} --quiet --out $out/musicrnn"
"${musicrnn[@]}" perf "${perf[@]}" --quiet --out "$out/musicrnn" > "$out/musicrnn.log"

run_peers run-samples.sh samples.py "-samples" "bench/peer/run-samples.sh $settings" "${peer[@]}"
