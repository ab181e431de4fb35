#!/usr/bin/env bash
# Runs a sharded study on a real single-node Slurm, the way deploy/slurm/ runs it on a cluster:
# installs Debian's slurm-wlm and munge, starts munged, slurmctld and slurmd with all their
# state in a temporary folder, submits 4 shards of scenarios/winter-jackets.toml and their merge
# with deploy/slurm/submit.sh, and checks that the merged folder holds byte for byte the files
# of the same study run in one process. Then reruns one shard alone (`sbatch --array=K`, as
# deploy/slurm/README.md tells after a failed shard) and checks the merge again. First checks
# that the Kubernetes manifests of deploy/k8s parse and agree (deploy/k8s/check.py).
# Builds target/release/echelon (cargo build --release --locked), or tests ECHELON=path.
# Skips (exit 0) only where Slurm cannot be installed (not root, or apt fails). About 10 s with
# the packages installed and the release binary built; apt adds about 10 s, a cold release build
# about 2 minutes on 2 cores (144 s in all on a fresh clone with nothing installed).
set -euo pipefail
cd "$(dirname "$0")/.."

REPLICATIONS=40
SEED=11
NSHARDS=4
SCENARIO=scenarios/winter-jackets.toml
# Not Slurm's default ports, so that a Slurm already running on the machine is left alone.
CTLD_PORT=16817
SLURMD_PORT=16818

say() { echo "tests/slurm.sh: $*"; }
started=$SECONDS

# --- the Kubernetes manifests: no cluster here, so they are parsed and checked for agreement ---
k8s_checked=no
for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null && "$py" -c 'import yaml' 2>/dev/null; then
        "$py" deploy/k8s/check.py
        k8s_checked=yes
        break
    fi
done
[ "$k8s_checked" = yes ] || say "deploy/k8s not checked: no python3 with PyYAML here"

# --- install -------------------------------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
    say "SKIP: needs root to install Slurm and run its daemons" >&2
    exit 0
fi
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
    ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; }; then
        say "SKIP: could not install slurm-wlm and munge here (no package mirror?)" >&2
        exit 0
    fi
fi
installed=$SECONDS

# --- from here on every failure is a FAIL, and the daemons started are stopped ----------------
tmp=$(mktemp -d)
chmod 755 "$tmp" # munged runs as the munge user and must reach its folder below
export SLURM_CONF=$tmp/slurm/slurm.conf
array_job=""
merge_job=""

stop_daemons() {
    local f job pid pids=()
    for job in "$array_job" "$merge_job"; do
        if [ -n "$job" ]; then scancel "$job" 2>/dev/null || true; fi
    done
    # All at once: each takes a second or two to go.
    for f in "$tmp/slurm/slurmd.pid" "$tmp/slurm/slurmctld.pid" "$tmp/munge/munged.pid"; do
        pid=$(cat "$f" 2>/dev/null) || continue
        if kill "$pid" 2>/dev/null; then pids+=("$pid"); fi
    done
    for pid in ${pids[@]+"${pids[@]}"}; do
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    done
}
show_logs() {
    local f
    for f in "$tmp"/logs/* "$tmp"/slurm/log/* "$tmp"/munge/munged.log; do
        [ -f "$f" ] || continue
        echo "--- $f (last lines)"
        tail -n 12 "$f" | cut -c 1-300
    done
}
finish() {
    local status=$?
    trap - EXIT
    set +e # clean up all the same if a step here fails
    if [ "$status" != 0 ]; then
        show_logs >&2
        say "FAIL (exit $status)" >&2
    fi
    stop_daemons
    rm -rf "$tmp"
    exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM
fail() {
    say "$*" >&2
    exit 1
}

# --- munge: a fresh key, owned by munge, everything in $tmp ----------------------------------
start_munge() {
    mkdir -p "$tmp/munge"
    dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
    chown -R munge:munge "$tmp/munge"
    chmod 755 "$tmp/munge" # its socket must be reachable by every user
    chmod 400 "$tmp/munge/munge.key"
    runuser -u munge -- munged --key-file="$tmp/munge/munge.key" \
        --socket="$tmp/munge/munge.socket" --pid-file="$tmp/munge/munged.pid" \
        --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/munged.seed"
    munge -S "$tmp/munge/munge.socket" -n | unmunge -S "$tmp/munge/munge.socket" |
        grep -q 'STATUS: *Success' || fail "munge does not round-trip a credential"
}

# --- slurm.conf for one node: no systemd, no cgroups, root runs everything ---------------------
write_slurm_conf() {
    local host mem_mb
    host=$(hostname -s)
    mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)
    mkdir -p "$tmp/slurm/state" "$tmp/slurm/spool" "$tmp/slurm/log"
    cat >"$SLURM_CONF" <<EOF
ClusterName=echelon-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.socket
CryptoType=crypto/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# Start each wave of jobs at once (by default batch jobs may wait 3 s): halves the test time.
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
StateSaveLocation=$tmp/slurm/state
SlurmdSpoolDir=$tmp/slurm/spool
SlurmctldPidFile=$tmp/slurm/slurmctld.pid
SlurmdPidFile=$tmp/slurm/slurmd.pid
SlurmctldLogFile=$tmp/slurm/log/slurmctld.log
SlurmdLogFile=$tmp/slurm/log/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem_mb State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start_slurm() {
    local port state
    for port in $CTLD_PORT $SLURMD_PORT; do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            fail "port $port is in use (a Slurm left from an earlier run of this test?)"
        fi
    done
    slurmctld -f "$SLURM_CONF"
    slurmd -f "$SLURM_CONF"
    for _ in $(seq 60); do
        state=$(sinfo -h -N -o %t 2>/dev/null || true)
        [ "$state" = idle ] && return 0
        case $state in drain* | down*) fail "node is $state: $(sinfo -h -R)" ;; esac
        sleep 0.5
    done
    fail "the node is not idle after 30 s (sinfo: '${state:-no answer}')"
}

# Waits for one job to end; fails unless it COMPLETED.
wait_job() {
    local job=$1 state
    for _ in $(seq 600); do
        state=$(scontrol show job -o "$job" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' || true)
        case $state in
        COMPLETED) return 0 ;;
        PENDING | CONFIGURING | RUNNING | COMPLETING | "") sleep 0.5 ;;
        *) fail "job $job ended $state: $(scontrol show job -o "$job" | grep -o 'Reason=[^ ]*')" ;;
        esac
    done
    fail "job $job has not ended after 300 s"
}

# Every file of the one-process run, hidden ones included, is in the merged folder with the
# same bytes, and the merged folder has no other file.
same_files() {
    local want=$1 got=$2 f n=0
    diff <(cd "$want" && ls -A) <(cd "$got" && ls -A) ||
        fail "$got does not hold the same files as $want (diff above)"
    for f in "$want"/* "$want"/.[!.]*; do
        [ -f "$f" ] || continue
        cmp "$f" "$got/${f##*/}" || fail "${f##*/} differs between the merged and the one-process run"
        n=$((n + 1))
    done
    say "$n files byte-identical: $(cd "$got" && shopt -s dotglob && echo *)"
}

# --- the study ---------------------------------------------------------------------------------
start_munge
write_slurm_conf
start_slurm
slurm_up=$SECONDS
say "single-node Slurm up: $(sinfo -h -o 'partition %P, %D node, %c CPUs, %t') ($((slurm_up - installed)) s)"

# ECHELON=path tests that binary instead of building one.
if [ -z "${ECHELON:-}" ]; then
    cargo build --release --locked --quiet
    ECHELON=$PWD/${CARGO_TARGET_DIR:-target}/release/echelon
fi
echelon=$(realpath "$ECHELON")
built=$SECONDS
run_args=(--replications "$REPLICATIONS" --seed "$SEED")

mkdir -p "$tmp/logs"
# -s: one core and 1000 MB per shard, so the script's --threads and ECHELON_MEMORY_LIMIT are used.
submitted=$(ECHELON=$echelon deploy/slurm/submit.sh -n "$NSHARDS" -s "--cpus-per-task=1 --mem=1000" -l "$tmp/logs" \
    "$SCENARIO" "$tmp/shards" "$tmp/merged" -- "${run_args[@]}")
echo "$submitted"
array_job=$(sed -n 's/^shards: *job \([0-9]*\).*/\1/p' <<<"$submitted")
merge_job=$(sed -n 's/^merge: *job \([0-9]*\).*/\1/p' <<<"$submitted")
if [ -z "$array_job" ] || [ -z "$merge_job" ]; then fail "submit.sh printed no job ids"; fi
wait_job "$merge_job"
jobs_done=$SECONDS
say "array job $array_job and merge job $merge_job completed ($((jobs_done - built)) s)"
ls "$tmp/shards"

"$echelon" run "$SCENARIO" "${run_args[@]}" --quiet --out "$tmp/single"
same_files "$tmp/single" "$tmp/merged"

# A shard lost: merge refuses the incomplete set; rerun that shard alone, then merge again.
rm "$tmp/shards/shard-1-of-$NSHARDS.echelon"
status=0
"$echelon" merge "$tmp/shards" --out "$tmp/refused" --quiet 2>"$tmp/refused.err" || status=$?
[ "$status" = 2 ] || fail "merge with shard 1 missing exited $status, not 2: $(cat "$tmp/refused.err")"
say "merge without shard 1 refused (exit 2): $(head -n 1 "$tmp/refused.err")"
rerun=$(ECHELON=$echelon SCENARIO=$SCENARIO SHARDS=$tmp/shards SHARD_COUNT=$NSHARDS \
    sbatch --parsable --array=1 --output "$tmp/logs/rerun-%A_%a.out" \
    deploy/slurm/shards.sbatch "${run_args[@]}")
wait_job "$rerun"
"$echelon" merge "$tmp/shards" --out "$tmp/remerged" --quiet
same_files "$tmp/single" "$tmp/remerged"

say "PASS: $NSHARDS Slurm shards + merge = one process, byte for byte; a rerun shard merges the same" \
    "($((SECONDS - started)) s: install $((installed - started)) s, Slurm up $((slurm_up - installed)) s," \
    "build $((built - slurm_up)) s, jobs $((jobs_done - built)) s, checks $((SECONDS - jobs_done)) s)"
