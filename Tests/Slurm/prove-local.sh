#!/usr/bin/env bash
# Proves the Slurm path on this machine: installs Slurm and MUNGE from Debian, starts a one-node
# cluster on localhost, submits a sweep as an array job of 3 tasks, waits, merges the shards and
# compares the merged results.csv with a local unsharded run, byte for byte. Run as root:
#
#   bash Tests/Slurm/prove-local.sh [SPEC.yaml] [TASKS]
#
# Daemons it started are stopped at the end (KEEP=1 leaves the cluster running).
set -euo pipefail
cd "$(dirname "$0")/../.."
spec=$(realpath "${1:-Tests/Slurm/sweep.yaml}")
tasks=${2:-3}
work=$(mktemp -d /tmp/simrun-slurm.XXXXXX)
chmod 755 "$work"

if ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q slurm-wlm munge
fi
export OPENBLAS_NUM_THREADS=1
swift build -c release --product simrun >/dev/null
simrun=$(realpath .build/release/simrun)

started=()
stop() {
  [ "${KEEP:-0}" = 1 ] && return
  for d in "${started[@]}"; do
    pkill -x "$d" || true
    for _ in $(seq 60); do pgrep -x "$d" >/dev/null || break; sleep 0.5; done   # gone before a rerun starts it
  done
}
trap stop EXIT

# MUNGE (authentication between the Slurm daemons).
if ! pgrep -x munged >/dev/null; then
  started+=(munged)
  [ -s /etc/munge/munge.key ] || mungekey --create --force
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge && chown munge:munge /run/munge
  su -s /bin/sh munge -c munged
fi

# A one-node cluster on localhost (Debian's Slurm 22.05, run as root, no cgroups).
host=$(hostname -s)
cpus=$(nproc)
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=simrun-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
pgrep -x slurmctld >/dev/null || { slurmctld; started=(slurmctld "${started[@]}"); }
pgrep -x slurmd >/dev/null || { slurmd; started=(slurmd "${started[@]}"); }
for _ in $(seq 30); do sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break; sleep 1; done
sinfo

echo "== local, unsharded"
"$simrun" sweep "$spec" --out "$work/local" --progress none

echo "== Slurm array job, $tasks tasks"
job=$(sbatch --parsable --wait --array=0-$((tasks - 1)) --chdir="$work" \
  Tests/Slurm/sweep-array.sbatch "$spec" "$work/slurm" "$simrun") || { cat "$work"/simrun-sweep-*.log; exit 1; }
echo "job $job finished"
for log in "$work"/simrun-sweep-*.log; do echo "-- $(basename "$log")"; tail -n 2 "$log"; done

echo "== merge"
"$simrun" merge "$work"/slurm/shard-* --out "$work/merged"
if cmp "$work/local/results.csv" "$work/merged/results.csv"; then
  echo "IDENTICAL: $work/merged/results.csv equals the local run ($(($(wc -l < "$work/local/results.csv") - 1)) points, $(sha256sum < "$work/local/results.csv" | cut -c1-16))"
else
  echo "DIFFERENT: $work/merged/results.csv and $work/local/results.csv"; exit 1
fi
