#!/usr/bin/env bash
# Training, validation and generation with the collector forced to run very often, N times in a
# row; counts the runs that crash. Issue 14: the server GC and the bench retries may go only if
# this passes 20 of 20 (docs/ARCHITECTURE.md, "Memory and the scalar race").
#
# Each run, in fresh processes of the built musicrnn executable:
#   1. a tiny `demo` (the bench path: rnn, lstm, gru, cwrnn at 1 and 2 layers, batch 2, one epoch,
#      validation with every baseline, a sample generated from each model, the report);
#   2. `train` of one architecture (cycling over the four; 2 layers, batch 2, validation every
#      2 iterations) and `generate` from it with noise;
#   3. with --test, the GcStress test (tests/MusicRnn.Tests/Reliability/GcStressTests.cs).
# The collector is pushed two ways at once: DOTNET_GCgen0size makes the gen-0 budget tiny (a
# collection every ~100 KB allocated), and a startup hook (gc-stress/CollectorHook.cs) runs a
# thread in the process that calls GC.Collect() in a loop, which also breaks into the
# no-collection regions TensorWork opens. A run fails if a process exits non-zero, an expected
# output is missing, or a bench model had to be retried ("retrying from the last checkpoint").
#
#   bench/gc-stress.sh --runs 20 --threads 1 [--test] [--no-hook] [--gen0size 0x10000] [--out DIR]
#
# Build first: dotnet build MusicRnn.sln -c Release. Prints one line per run and a last line
# "N/M runs passed"; exits 1 if any failed. Logs of every run are kept in DIR (default a temp dir).
set -u

root="$(cd "$(dirname "$0")/.." && pwd)"
runs=20
threads=1
gen0size=0x10000
hook=1
test=0
out=""
cli="$root/src/MusicRnn.Cli/bin/Release/net10.0/MusicRnn.Cli.dll"

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --gen0size) gen0size="$2"; shift 2 ;;
    --no-hook) hook=0; shift ;;
    --test) test=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --cli) cli="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "gc-stress.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

[ -f "$cli" ] || { echo "gc-stress.sh: $cli: not built (dotnet build MusicRnn.sln -c Release)" >&2; exit 2; }
[ -n "$out" ] || out="$(mktemp -d /tmp/gc-stress.XXXXXX)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

env_vars=(DOTNET_GCgen0size="$gen0size")
if [ "$hook" = 1 ]; then
  dotnet build "$root/bench/gc-stress/CollectorHook.cs" -c Release -o "$out/hook" >"$out/hook-build.log" 2>&1 \
    || { echo "gc-stress.sh: the collector hook did not build; see $out/hook-build.log" >&2; exit 2; }
  env_vars+=(DOTNET_STARTUP_HOOKS="$out/hook/CollectorHook.dll")
fi

musicrnn() { env "${env_vars[@]}" dotnet "$cli" "$@"; }

track="$out/track.wav"
dotnet "$cli" synth --out "$track" --seconds 4 --sample-rate 8000 --seed 4 >"$out/synth.log" 2>&1 \
  || { echo "gc-stress.sh: synth failed; see $out/synth.log" >&2; exit 2; }

archs=(rnn lstm gru cwrnn)
common=(--audio "$track" --sample-rate 8000 --codec rfft --frame 64 --hidden 16 --window 20 --stride 10 --batch 2 --epochs 1 --threads "$threads")

echo "gc-stress: $runs runs, --threads $threads, DOTNET_GCgen0size=$gen0size, collector hook $([ "$hook" = 1 ] && echo on || echo off), test $([ "$test" = 1 ] && echo on || echo off), logs in $out"
passed=0
for i in $(seq 1 "$runs"); do
  dir="$out/run-$i"
  rm -rf "$dir"; mkdir -p "$dir"
  arch="${archs[$(( (i - 1) % 4 ))]}"
  why=""
  start=$(date +%s)

  musicrnn demo --out "$dir/demo" "${common[@]}" --layers 1,2 --sample-seconds 0.5 -q >"$dir/demo.log" 2>&1 \
    || why="demo exited $?"
  [ -n "$why" ] || [ -f "$dir/demo/report.html" ] || why="demo wrote no report"
  [ -n "$why" ] || ! grep -q "retrying from the last checkpoint" "$dir/demo.log" || why="demo retried a model"

  if [ -z "$why" ]; then
    musicrnn train --out "$dir/train" --arch "$arch" --layers 2 --validate-every 2 --seed "$i" -q "${common[@]}" >"$dir/train.log" 2>&1 \
      || why="train $arch exited $?"
  fi
  if [ -z "$why" ]; then
    musicrnn generate --model "$dir/train" --out "$dir/gen.wav" --seconds 1 --prime-seconds 0.5 --noise 0.2 --seed "$i" --threads "$threads" -q >"$dir/generate.log" 2>&1 \
      || why="generate $arch exited $?"
    [ -n "$why" ] || [ -f "$dir/gen.wav" ] || why="generate wrote no audio"
  fi
  if [ -z "$why" ] && [ "$test" = 1 ]; then
    env DOTNET_GCgen0size="$gen0size" dotnet test "$root/tests/MusicRnn.Tests" -c Release --no-build \
      --filter "FullyQualifiedName~GcStressTests" >"$dir/test.log" 2>&1 || why="GcStress test failed"
  fi

  collections=$(grep -ho "[0-9]* forced collections" "$dir"/*.log 2>/dev/null | awk '{s += $1} END {print s + 0}')
  if [ -z "$why" ]; then
    passed=$((passed + 1))
    echo "run $i: ok ($arch; $collections forced collections; $(( $(date +%s) - start )) s)"
  else
    echo "run $i: FAILED: $why (logs in $dir)"
  fi
done

echo "$passed/$runs runs passed"
[ "$passed" = "$runs" ]
