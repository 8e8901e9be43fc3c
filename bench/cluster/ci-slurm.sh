#!/usr/bin/env bash
# CI check of the promise that a bench grid spreads over machines under a real scheduler:
# sets up a single-node Slurm (setup-slurm.sh), runs a small grid as an array job with its
# dependent merge job (grid.sbatch), runs the same grid in one process, and requires the two
# reports to be identical (compare-results.py): models, settings, specs, parameter counts,
# every loss figure and curve, and the samples. Prints the wall time of both runs.
#
#   bash bench/cluster/ci-slurm.sh        # as root, after `dotnet build MusicRnn.sln -c Release`
#
# Builds nothing: it runs the Release build output
# (dotnet src/MusicRnn.Cli/bin/Release/net10.0/MusicRnn.Cli.dll), so it tests the commit
# CI just built and tested; set MUSICRNN to run something else, e.g. MUSICRNN=musicrnn for
# an installed tool. Exits non-zero on any difference, a failed or cancelled job, a daemon
# that does not come up, or a grid that does not finish within CI_SLURM_TIMEOUT seconds
# (default 900).
#
# Environment: MUSICRNN (see above), CI_SLURM_TIMEOUT, CI_SLURM_WORK (folder for both runs;
# default a new temporary folder, removed on success).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"

die() { echo "ci-slurm: error: $*" >&2; exit 1; }
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

dll="$repo/src/MusicRnn.Cli/bin/Release/net10.0/MusicRnn.Cli.dll"
if [ -z "${MUSICRNN:-}" ]; then
  [ -f "$dll" ] || die "$dll is missing: run 'dotnet build MusicRnn.sln -c Release' first (or set MUSICRNN)"
  MUSICRNN="$(command -v dotnet) $dll"
fi
read -r -a musicrnn <<<"$MUSICRNN"
command -v python3 >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null)

bash bench/cluster/setup-slurm.sh

work="${CI_SLURM_WORK:-$(mktemp -d /tmp/musicrnn-ci-slurm.XXXXXX)}"
mkdir -p "$work"
timeout_s="${CI_SLURM_TIMEOUT:-900}"
# Small enough for a couple of minutes on 2 cores; the grid is grid.sbatch's default 12 cells.
options=(--seconds 4 --epochs 1 --hidden 16 --sample-seconds 1)
echo "ci-slurm: grid of 12 cells (rnn,lstm,gru,cwrnn × 1,2,3), --preset quick ${options[*]} --threads 1, in $work"

# --- The grid under Slurm: array job + dependent merge job ---------------------------------
start="$(now)"
RESULTS="$work/slurm" PRESET=quick THREADS=1 MUSICRNN="$MUSICRNN" bash bench/cluster/grid.sbatch "${options[@]}"
# shellcheck disable=SC1091
source "$work/slurm/jobs"

# state JOB: the job's (or each array task's) JobState, one per line.
state() { scontrol show job "$1" -o 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }
# One line per array task, then the log of every task that did not complete and the merge job's.
show_logs() {
  local line id st code
  scontrol show job "$ARRAY_JOB_ID" -o 2>/dev/null | while read -r line; do
    id="$(grep -o 'ArrayTaskId=[^ ]*' <<<"$line" | cut -d= -f2)"
    st="$(grep -o 'JobState=[^ ]*' <<<"$line" | cut -d= -f2)"
    code="$(grep -o ' ExitCode=[^ ]*' <<<"$line" | cut -d= -f2)"
    echo "ci-slurm: array task $id: $st, exit code $code" >&2
    if [ "$st" != COMPLETED ] && [ -f "$work/slurm/logs/cell-$id.out" ]; then
      echo "---- $work/slurm/logs/cell-$id.out (last lines) ----" >&2
      tail -n 15 "$work/slurm/logs/cell-$id.out" >&2
    fi
  done
  scontrol show job "$MERGE_JOB_ID" -o 2>/dev/null | grep -o 'JobState=[^ ]*\|Reason=[^ ]*\|Dependency=[^ ]*' | sed 's/^/ci-slurm: merge job: /' >&2 || true
  [ -s "$work/slurm/logs/merge.out" ] && { echo "---- $work/slurm/logs/merge.out (last lines) ----" >&2; tail -n 15 "$work/slurm/logs/merge.out" >&2; }
  return 0
}
deadline=$(( $(date +%s) + timeout_s ))
while :; do
  merge_state="$(state "$MERGE_JOB_ID")"
  case "$merge_state" in
    COMPLETED) break ;;
    FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE)
      show_logs; die "merge job $MERGE_JOB_ID ended $merge_state (it is cancelled when a cell fails)" ;;
    "") scontrol ping 2>/dev/null | grep -q UP || { show_logs; die "slurmctld stopped answering (see /var/log/slurm/slurmctld.log)"; }
        die "merge job $MERGE_JOB_ID is unknown to slurmctld" ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    scancel "$ARRAY_JOB_ID" "$MERGE_JOB_ID" || true
    show_logs; die "the grid did not finish within $timeout_s s (merge job $MERGE_JOB_ID: $merge_state)"
  fi
  sleep 1
done
slurm_end="$(now)"
# Every array task must have completed with exit code 0 (afterok already demands it; say so).
tasks="$(scontrol show job "$ARRAY_JOB_ID" -o)"
total="$(grep -c 'JobState=' <<<"$tasks" || true)"
ok="$(grep 'JobState=COMPLETED' <<<"$tasks" | grep -c ' ExitCode=0:0' || true)"
if [ "$total" -ne 12 ] || [ "$ok" -ne 12 ]; then
  show_logs; die "array job $ARRAY_JOB_ID: $ok of $total tasks completed with exit code 0 (12 expected)"
fi
echo "ci-slurm: array job $ARRAY_JOB_ID: 12 of 12 tasks completed; merge job $MERGE_JOB_ID completed"

# --- The same grid in one process ----------------------------------------------------------
single_start="$(now)"
"${musicrnn[@]}" bench --preset quick "${options[@]}" --threads 1 \
  --archs rnn,lstm,gru,cwrnn --layers 1,2,3 --out "$work/single" --quiet >/dev/null
single_end="$(now)"

python3 bench/cluster/compare-results.py "$work/slurm/merged" "$work/single"
echo "ci-slurm: wall time, submission to merged report, Slurm grid (12 array tasks + merge, 1 CPU each): $(seconds "$start" "$slurm_end") s"
echo "ci-slurm: wall time, the same grid in one process (--threads 1): $(seconds "$single_start" "$single_end") s"
echo "ci-slurm: (timings from a shared machine: rough, not a benchmark)"
[ -n "${CI_SLURM_WORK:-}" ] || rm -rf "$work"
