#!/usr/bin/env bash
# Submits a sharded echelon run to Slurm: a job array of N shards (shards.sbatch), then the merge
# (merge.sbatch), which starts only after every shard succeeded. Prints both job ids.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

usage() {
    cat <<'USAGE'
usage: deploy/slurm/submit.sh [-n SHARDS] [-c COMMAND] [-s SBATCH_OPTIONS] [-l LOG_DIR]
                              SCENARIO SHARDS_DIR OUT_DIR [-- ARGS...]

Runs `echelon COMMAND SCENARIO ARGS... --shard K/SHARDS --out SHARDS_DIR` as Slurm array
tasks K = 0..SHARDS-1 (default 4), then `echelon merge SHARDS_DIR --out OUT_DIR` once all of
them succeeded. OUT_DIR then holds what `echelon COMMAND SCENARIO ARGS... --out OUT_DIR` would
write, byte for byte. Paths are taken relative to the current folder (the jobs start there):
keep SCENARIO, SHARDS_DIR and OUT_DIR on a filesystem every node shares.

  -n SHARDS    number of shards (array tasks), default 4
  -c COMMAND   run (default), compare or sweep: the echelon command to shard
  -s OPTIONS   sbatch options for the shards, split at spaces, e.g. "--cpus-per-task=8 --mem=8G
               --time=2:00:00" (echelon then runs 8 threads within 8 GB)
  -l LOG_DIR   write the jobs' logs there (default: echelon-shard-*.out and echelon-merge-*.out
               in the current folder)

Environment: ECHELON (the echelon binary, default: echelon on PATH), MERGE_ARGS (extra
arguments for echelon merge); sbatch's own variables choose partition, account and limits
(SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT, ...).

Example:
  ECHELON=$PWD/target/release/echelon SBATCH_PARTITION=short \
    deploy/slurm/submit.sh -n 8 -s "--cpus-per-task=4 --mem=4G" -l logs \
    scenarios/winter-jackets.toml /scratch/wj-shards /scratch/wj -- --replications 40000 --seed 7
USAGE
}

shards=4
logs=""
shard_opts=()
while getopts "n:c:s:l:h" opt; do
    case $opt in
    n) shards=$OPTARG ;;
    c) export ECHELON_COMMAND=$OPTARG ;;
    s) read -r -a shard_opts <<<"$OPTARG" ;;
    l) logs=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ $# -lt 3 ]; then
    usage >&2
    exit 2
fi
export SCENARIO=$1 SHARDS=$2 OUT=$3
shift 3
if [ "${1:-}" = "--" ]; then shift; fi

fail() { echo "submit.sh: $*" >&2; exit 2; }
[[ $shards =~ ^[1-9][0-9]*$ ]] || fail "-n $shards: the shard count must be a whole number ≥ 1"
case ${ECHELON_COMMAND:-run} in
run | compare | sweep) ;;
*) fail "-c ${ECHELON_COMMAND}: echelon shards run, compare and sweep" ;;
esac
[ -f "$SCENARIO" ] || fail "$SCENARIO: no such scenario file"
command -v sbatch >/dev/null || fail "sbatch not found: load Slurm (e.g. module load slurm) first"
# Shards of an earlier run would be merged with (or refused against) the new ones.
if compgen -G "$SHARDS/*.echelon" >/dev/null; then
    fail "$SHARDS already holds shard files of an earlier run: remove them or choose another folder"
fi
if ! command -v "${ECHELON:-echelon}" >/dev/null; then
    echo "submit.sh: warning: ${ECHELON:-echelon} is not found here; the jobs need it on the nodes" >&2
fi
# The array's own task count is N here, but a rerun of one task (--array=K) needs it spelled out.
export SHARD_COUNT=$shards

shard_log=()
merge_log=()
if [ -n "$logs" ]; then
    mkdir -p "$logs" # Slurm does not create the folder of --output; a job without it fails unseen.
    shard_log=(--output "$logs/shard-%A_%a.out")
    merge_log=(--output "$logs/merge-%j.out")
fi

# --export=ALL: the jobs read SCENARIO, SHARDS, OUT, ECHELON from here even where the site
# default is SBATCH_EXPORT=NONE. --parsable prints "jobid" or "jobid;cluster".
array_job=$(sbatch --parsable --export=ALL --array="0-$((shards - 1))" ${shard_log[@]+"${shard_log[@]}"} \
    ${shard_opts[@]+"${shard_opts[@]}"} "$here/shards.sbatch" "$@")
array_job=${array_job%%;*}
# A failed shard cancels the merge instead of leaving it pending forever.
merge_job=$(sbatch --parsable --export=ALL --dependency="afterok:$array_job" --kill-on-invalid-dep=yes \
    ${merge_log[@]+"${merge_log[@]}"} "$here/merge.sbatch")
merge_job=${merge_job%%;*}

echo "shards: job $array_job (array 0-$((shards - 1))) -> $SHARDS"
echo "merge:  job $merge_job (after every shard succeeded) -> $OUT"
