#!/usr/bin/env bash
# A single-node Slurm cluster on localhost, from Debian 12's packages, for testing
# bench/cluster/grid.sbatch (CI runs it through bench/cluster/ci-slurm.sh).
#
#   sudo bench/cluster/setup-slurm.sh
#
# What it does, each step skipped when already done (so it is safe to run again):
#   1. installs slurmctld, slurmd, slurm-client (sbatch, squeue, scontrol) and munge;
#   2. keeps munge's key, or creates one;
#   3. writes /etc/slurm/slurm.conf for one node, "localhost", with this machine's CPUs and
#      memory as slurmd measures them (slurmd -C), in one partition; processes are tracked
#      through /proc and no CPU is bound (no cgroups needed, so it works in a container-like
#      VM); CPUs are handed out one by one (select/cons_tres, CR_CPU), so two 1-CPU jobs run
#      at once on 2 cores;
#   4. starts munged, slurmctld and slurmd (restarting the Slurm daemons if slurm.conf
#      changed) and waits until the node is idle.
# It fails fast, printing the daemon's log, when a daemon does not come up.
#
# Runs as root. It starts the daemons itself rather than through systemd (which a container
# or CI VM may not run); they keep running after it exits. There is no accounting database:
# finished jobs stay visible to `scontrol show job` for an hour (MinJobAge), and a line per
# finished job is appended to /var/log/slurm/jobcomp.log.
#
# Environment:
#   SLURM_SETUP_TIMEOUT  seconds to wait for each daemon and for the node (default 60)
#   SLURM_PARTITION      name of the one partition (default "debug")
set -euo pipefail

timeout_s="${SLURM_SETUP_TIMEOUT:-60}"
partition="${SLURM_PARTITION:-debug}"
conf=/etc/slurm/slurm.conf
log_dir=/var/log/slurm
state_dir=/var/lib/slurm/slurmctld
spool_dir=/var/lib/slurm/slurmd

say() { echo "setup-slurm: $*"; }
die() { echo "setup-slurm: error: $*" >&2; exit 1; }

# Prints the last lines of a daemon's log, to make a failure readable in CI's output.
show_log() {
  local file="$1"
  [ -s "$file" ] || { echo "  ($file is empty or missing)" >&2; return 0; }
  echo "---- last lines of $file ----" >&2
  tail -n 30 "$file" >&2
  echo "----" >&2
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND twice a second until it succeeds.
wait_for() {
  local seconds="$1" what="$2"; shift 2
  local deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
  say "$what"
}

# alive PIDFILE: the daemon named in PIDFILE runs. A pid file left by a daemon that was killed
# may name a process that has since reused the number: the command name must match too.
alive() {
  [ -s "$1" ] || return 1
  local pid; pid="$(cat "$1")"
  kill -0 "$pid" 2>/dev/null && grep -q "^$(basename "$1" .pid)" "/proc/$pid/comm" 2>/dev/null
}

# stop PIDFILE: ends the daemon named in PIDFILE (only that process) and waits for it to go.
stop() {
  alive "$1" || return 0
  local pid; pid="$(cat "$1")"
  kill "$pid"
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  die "daemon $pid (from $1) did not stop"
}

[ "$(id -u)" = 0 ] || die "run as root: it installs packages, writes /etc/slurm and starts daemons"

# 1. Packages. policy-rc.d or the lack of systemd may keep the packages' own scripts from
# starting anything; this script starts the daemons itself below either way.
missing=()
for p in munge slurmctld slurmd slurm-client; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# A systemd that started the packaged services would fight over the pid files: stop them.
if [ -d /run/systemd/system ]; then
  systemctl stop slurmd slurmctld munge >/dev/null 2>&1 || true
fi

# 2. Munge: one key shared by every daemon and client of the cluster; here all on one host.
key=/etc/munge/munge.key
install -d -o munge -g munge -m 0700 /etc/munge
if [ ! -s "$key" ]; then
  say "creating $key"
  mungekey --create --keyfile="$key" --force
fi
chown munge:munge "$key"; chmod 0400 "$key"
install -d -o munge -g munge -m 0755 /run/munge
install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  say "starting munged"
  runuser -u munge -- /usr/sbin/munged || { show_log /var/log/munge/munged.log; die "munged did not start"; }
  wait_for "$timeout_s" "munged is up" sh -c 'munge -n | unmunge' \
    || { show_log /var/log/munge/munged.log; die "munged started but credentials do not round-trip (munge -n | unmunge)"; }
else
  say "munged is already up"
fi

# 3. slurm.conf, from what slurmd measures here ("NodeName=vm CPUs=2 Boards=1 ... RealMemory=24105").
hw="$(slurmd -C | head -n 1)" || die "slurmd -C failed: cannot read this machine's CPUs and memory"
node_hw="$(tr ' ' '\n' <<<"$hw" | grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore|RealMemory)=' | tr '\n' ' ')"
case "$node_hw" in *CPUs=*RealMemory=*) ;; *) die "unexpected slurmd -C output: $hw" ;; esac

new_conf="$(cat <<EOF
# Written by bench/cluster/setup-slurm.sh: a single-node test cluster on localhost.
ClusterName=musicrnn
SlurmctldHost=localhost
SlurmUser=slurm
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$state_dir
SlurmdSpoolDir=$spool_dir
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$log_dir/slurmctld.log
SlurmdLogFile=$log_dir/slurmd.log
MpiDefault=none
# No cgroups in a container-like VM: track a job's processes through /proc, bind no CPUs.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
# No accounting database: keep finished jobs in slurmctld for an hour, and a line per job in a file.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$log_dir/jobcomp.log
MinJobAge=3600
# CPUs are the unit handed out, so 1-CPU jobs share a node, one per CPU.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# A job whose dependency can no longer be met (afterok on a failed job) is cancelled, not left pending.
DependencyParameters=kill_invalid_depend
# A node that went down because its slurmd restarted comes back by itself.
ReturnToService=2
SlurmdTimeout=60
NodeName=localhost ${node_hw}State=UNKNOWN
PartitionName=$partition Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
)"
conf_changed=false
if [ ! -f "$conf" ] || [ "$(cat "$conf")" != "$new_conf" ]; then
  say "writing $conf (node localhost: ${node_hw% })"
  printf '%s\n' "$new_conf" >"$conf"
  conf_changed=true
fi
install -d -o slurm -g slurm -m 0755 "$state_dir" "$log_dir"
install -d -o root -g root -m 0755 "$spool_dir"

# 4. The Slurm daemons: restarted when slurm.conf changed, started when not running.
if $conf_changed; then
  stop /run/slurmd.pid
  stop /run/slurmctld.pid
fi
if ! alive /run/slurmctld.pid; then
  say "starting slurmctld"
  slurmctld || { show_log "$log_dir/slurmctld.log"; die "slurmctld did not start"; }
fi
wait_for "$timeout_s" "slurmctld answers" sh -c 'scontrol ping | grep -q UP' \
  || { show_log "$log_dir/slurmctld.log"; die "slurmctld does not answer (scontrol ping) after ${timeout_s} s"; }
if ! alive /run/slurmd.pid; then
  say "starting slurmd"
  # The node is named localhost whatever this machine's host name is.
  slurmd -N localhost || { show_log "$log_dir/slurmd.log"; die "slurmd did not start"; }
fi

# slurmctld may still show the node idle for SlurmdTimeout after its slurmd died: ask both.
node_ready() {
  alive /run/slurmd.pid || return 1
  local state; state="$(sinfo -h -n localhost -o %T 2>/dev/null | head -n 1)"
  case "$state" in idle|mixed|allocated|completing) return 0 ;; esac
  # A node drained or down from an earlier configuration is given back to the scheduler.
  case "$state" in *drain*|down*) scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true ;; esac
  return 1
}
if ! wait_for "$timeout_s" "node localhost takes jobs" node_ready; then
  show_log "$log_dir/slurmd.log"
  show_log "$log_dir/slurmctld.log"
  scontrol show node localhost >&2 || true
  alive /run/slurmd.pid || die "slurmd exited after starting (no live process in /run/slurmd.pid); its log is above"
  die "node localhost did not become idle within ${timeout_s} s (state: $(sinfo -h -n localhost -o %T 2>/dev/null || echo unknown))"
fi
sinfo
