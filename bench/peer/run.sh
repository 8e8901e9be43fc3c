#!/usr/bin/env bash
# Runs `musicrnn perf` and its PyTorch peer (peer.py) with the same settings, one after the
# other, and writes OUT/peer.md: PyTorch time / MusicRnn time per architecture and size.
#
#   bench/peer/run.sh [--hidden 1024] [--window 100] [--batch 1] [--threads 2] [--repeats 5]
#                     [--generate 400] [--blas blis[,openblas,system]] [--out bench/peer/out]
#
# Sizes take one value each here (peer.md pairs rows by size; perf and peer.py themselves
# accept comma lists). The larger case of the issue:
#   bench/peer/run.sh --hidden 2048 --window 200 --batch 16 --out bench/peer/out-2048
#
# PyTorch runs on Debian's python3-torch (/usr/bin/python3), which calls whatever
# libblas.so.3 the system provides (netlib's reference BLAS unless another is installed),
# where TorchSharp's libtorch brings its own. --blas picks the library per PyTorch run, put
# first on the library path: blis (apt-get install libblis4-openmp), openblas
# (libopenblas0-openmp) or system; a list runs peer.py once per library. The default is blis
# where installed (its small-product paths are nearest to the MKL of the official builds: see
# README.md), else openblas, else system. Writes OUT/musicrnn/perf.json, and per library
# OUT/pytorch-<blas>.json and OUT/peer-<blas>.md.
set -euo pipefail
source "$(dirname "$0")/peers.sh"

hidden=1024 window=100 batch=1 threads=2 repeats=5 generate=400 out= blas=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --hidden) hidden=$2 ;;
    --window) window=$2 ;;
    --batch) batch=$2 ;;
    --threads) threads=$2 ;;
    --repeats) repeats=$2 ;;
    --generate) generate=$2 ;;
    --out) out=$2 ;;
    --blas) blas=$2 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
[[ -n $blas ]] || blas=$(default_blas run.sh)
for v in "$hidden" "$window" "$batch"; do
  [[ $v == *,* ]] && { echo "run.sh: --hidden, --window, --batch take one value each" >&2; exit 2; }
done

root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/bench/peer"
out=${out:-$root/bench/peer/out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
settings=(--hidden "$hidden" --window "$window" --batch "$batch" --threads "$threads" --repeats "$repeats" --generate "$generate")

echo "== $(date -u +%FT%TZ) uptime: $(uptime)"
musicrnn_cli "$root"
echo "== MusicRnn: ${musicrnn[*]} perf ${settings[*]} --no-essay --quiet --out $out/musicrnn"
"${musicrnn[@]}" perf "${settings[@]}" --no-essay --quiet --out "$out/musicrnn" > "$out/musicrnn.log"

run_peers run.sh peer.py "" "bench/peer/run.sh ${settings[*]}" "${settings[@]}"
