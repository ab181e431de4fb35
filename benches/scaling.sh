#!/usr/bin/env bash
# How time and peak memory scale with replications, positions and shards (README, "Speed").
# usage: bash benches/scaling.sh [reps|positions|shards]...   (default: all three)
#        REPS="100 1000" bash benches/scaling.sh reps          (replication counts to time)
# Needs the release binary (cargo build --release) and GNU time (/usr/bin/time); writes its
# scratch files under output/scaling/ and prints one table row per run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/echelon
OUT=output/scaling
mkdir -p "$OUT"
measure() { # label, then the command: prints label, wall seconds, peak RSS in MB
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" >/dev/null 2>"$OUT/err.txt" || { cat "$OUT/err.txt"; exit 1; }
  read -r secs kb < "$OUT/time.txt"
  printf '| %s | %s s | %d MB |\n' "$label" "$secs" $((kb / 1024))
}
for what in "${@:-reps positions shards}"; do
  case $what in
  reps)
    for r in ${REPS:-100 1000 10000 100000 1000000}; do
      measure "winter-jackets × $r replications" $BIN run scenarios/winter-jackets.toml --replications $r \
        --no-plots --quiet --out "$OUT/reps"
      rm -rf "$OUT/reps"
    done ;;
  positions)
    # A generated chain (echelon generate, no sales history): stores × SKUs store positions
    # plus the DCs'; 365 days after 28 warm-up days. SIZES="1000 1000" (comma-separated pairs)
    # for the million alone.
    if [ -n "${SIZES:-}" ]; then IFS=',' read -ra sizes <<< "$SIZES"; else
      sizes=("10 10" "100 10" "100 100" "1000 100" "1000 1000"); fi
    for size in "${sizes[@]}"; do
      set -- $size
      $BIN generate --stores "$1" --skus "$2" --days 0 --replications "${POS_REPS:-10}" --out "$OUT/chain" \
        --force --quiet
      measure "$1 stores × $2 SKUs × 365 days × ${POS_REPS:-10} replications" $BIN run "$OUT/chain/scenario.toml" \
        --no-plots --quiet --out "$OUT/pos"
      rm -rf "$OUT/pos" "$OUT/chain"
    done ;;
  shards)
    # n machines of this kind: each shard on its own core (--threads 1); the study's time is
    # the slowest shard plus the merge.
    secs() { /usr/bin/time -f "%e" -o "$OUT/t.txt" "$@" >/dev/null 2>"$OUT/err.txt" || { cat "$OUT/err.txt"; exit 1; }; cat "$OUT/t.txt"; }
    one=$(secs $BIN run scenarios/perf/dc-100-stores.toml --no-plots --quiet --threads 1 --out "$OUT/one")
    echo "| dc-100-stores, one process, 1 thread | $one s | |"
    for n in 2 4 8; do
      rm -rf "$OUT/shards"
      slowest=0
      for ((i = 0; i < n; i++)); do
        t=$(secs $BIN run scenarios/perf/dc-100-stores.toml --no-plots --quiet --threads 1 --shard "$i/$n" --out "$OUT/shards")
        slowest=$(echo "if ($t > $slowest) $t else $slowest" | bc)
      done
      merge=$(secs $BIN merge "$OUT/shards" --out "$OUT/merged" --quiet)
      cmp -s "$OUT/one/summary.json" "$OUT/merged/summary.json" || { echo "merge differs"; exit 1; }
      echo "| dc-100-stores in $n shards, 1 thread each | slowest shard $slowest s + merge $merge s | speed-up $(echo "scale=2; $one / ($slowest + $merge)" | bc) |"
    done ;;
  esac
done
