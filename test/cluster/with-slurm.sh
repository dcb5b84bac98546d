#!/usr/bin/env bash
# Runs a command beside a private single-node Slurm: starts munged (as the munge user), slurmctld
# and slurmd by hand from test/cluster/slurm.conf (no systemd), waits until the node is idle, runs
# the command with SLURM_CONF set, then cancels what is left in the queue and stops the daemons by
# their pids, also when the command or a start fails. Installs nothing: CI installs slurm-wlm and
# munge first. Needs root (slurmd starts each job as its user).
#   test/cluster/with-slurm.sh node scripts/test.mjs cluster
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

say() { echo "[with-slurm] $*" >&2; }
if [ "$(id -u)" -ne 0 ]; then say "needs root: slurmd starts jobs as the user that submitted them"; exit 1; fi
for tool in munged mungekey slurmctld slurmd sinfo squeue scancel setpriv; do
  command -v "$tool" >/dev/null || { say "$tool not found; install the Debian packages slurm-wlm and munge"; exit 1; }
done
id munge >/dev/null 2>&1 || { say "no munge user; install the Debian package munge"; exit 1; }

dir=$(mktemp -d /tmp/cc-slurm.XXXXXX)
chmod 755 "$dir"
pids=()
names=()
child=''

stop() {
  local rc=$? i pid
  trap - EXIT INT TERM
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  if [ "${#pids[@]}" -gt 2 ]; then
    # Jobs outlive slurmd (slurmstepd is its own process): cancel what is left and wait for it.
    local jobs
    jobs=$(squeue -h -o %A 2>/dev/null | sort -u || true)
    [ -n "$jobs" ] && { say "cancelling jobs left in the queue: $(echo $jobs)"; scancel --quiet $jobs 2>/dev/null || true; }
    for _ in $(seq 50); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.2; done
  fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then say "${names[i]} (pid $pid) ignored SIGTERM; killing it"; kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
  done
  if [ "$rc" -ne 0 ]; then
    for log in munged.out slurmctld.out slurmd.out; do
      [ -f "$dir/$log" ] && { say "last lines of $log:"; tail -n 15 "$dir/$log" >&2; }
    done
  fi
  rm -rf "$dir"
  say "daemons stopped"
  exit "$rc"
}
trap stop EXIT
# Bash runs a trap only once its foreground command returns, so the command runs in the
# background and is waited for: a signal (a CI timeout) then stops everything at once.
trap 'exit 130' INT
trap 'exit 143' TERM

started() { pids+=("$1"); names+=("$2"); say "$2 started (pid $1)"; }

# munge: its own key and socket in the temp folder, so a system munged (if any) is left alone.
mkdir -p "$dir/munge" "$dir/state" "$dir/spool"
mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null
chown -R munge:munge "$dir/munge"
# Clients reach the socket through the folder, so it is searchable by all; the key is 0600.
chmod 755 "$dir/munge"
setpriv --reuid=munge --regid=munge --init-groups munged --foreground \
  --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
  --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" >"$dir/munged.out" 2>&1 &
started $! munged
for _ in $(seq 50); do [ -S "$dir/munge/munge.socket" ] && break; sleep 0.1; done
[ -S "$dir/munge/munge.socket" ] || { say "munged did not open its socket"; exit 1; }

host=$(hostname -s)
sed -e "s|@HOST@|$host|g" -e "s|@CPUS@|$(nproc)|g" -e "s|@DIR@|$dir|g" \
  -e "s|@CTLD_PORT@|${CC_SLURMCTLD_PORT:-16817}|g" -e "s|@SLURMD_PORT@|${CC_SLURMD_PORT:-16818}|g" \
  "$here/slurm.conf" >"$dir/slurm.conf"
export SLURM_CONF="$dir/slurm.conf"

slurmctld -D -f "$SLURM_CONF" >"$dir/slurmctld.out" 2>&1 &
started $! slurmctld
slurmd -D -f "$SLURM_CONF" >"$dir/slurmd.out" 2>&1 &
started $! slurmd

state=''
for _ in $(seq 150); do
  state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
[ "$state" = idle ] || { say "node $host is '${state:-not reported}', not idle, after 30 s"; exit 1; }
say "node $host idle with $(nproc) CPUs; SLURM_CONF=$SLURM_CONF"

"$@" &
child=$!
wait "$child"
