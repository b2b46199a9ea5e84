#!/usr/bin/env bash
# bench/spark-ml-features.sh: Kiln's feature steps against Spark ML computing the same features, in the same run,
# per CPU second, on vega-datasets' 3 M-row flights Parquet.
#
#   1. builds the service jar if it is missing, and compiles bench/SparkMlFeatures.java against the check engine's Spark
#      class path (checks/target/engine/lib, Spark 3.5 with spark-mllib),
#   2. Kiln: a fresh service (fresh data dir, java -Xmx$XMX, check engine off), one job reading the Parquet with
#      impute (delay, mean), encode (origin, one-hot; sparse, as Spark's vectors, unless KILN_BENCH_ONEHOT_LAYOUT=dense)
#      and scale (distance, z-score); the service's CPU time from
#      submit to the job's end (both passes: the fit and the apply, the Iceberg write and the audit), and the fitted
#      statistics from GET .../snapshots/{id}/features,
#   3. Spark: bench/SparkMlFeatures.java, local[THREADS]: Imputer (mean), StringIndexer (frequencyDesc, keep) and
#      OneHotEncoder (no dropLast), VectorAssembler and StandardScaler (mean, sample std), fit and transform, written
#      as Parquet; the JVM's CPU time from the read to the end of the write, and the fitted statistics,
# then prints rows per CPU second of each, Kiln / Spark, and whether the statistics agree (means and std within
# 1e-9 relative, the same vocabulary order).
#
# Environment: KILN_FLIGHTS (default ~/.cache/kiln/vega-datasets-3.2.1/flights-3m.parquet, which the build installs with
# src/test/scripts/vega-flights.sh), KILN_BENCH_DIR (/tmp/kiln-ml-bench), KILN_BENCH_XMX (2g), KILN_BENCH_SPARK_THREADS (2),
# KILN_BENCH_QUIET_WAIT (120 s; 0: don't wait), KILN_BENCH_ONEHOT_LAYOUT (sparse: struct<size, indices>, what Spark's
# OneHotEncoder writes as a sparse vector; dense: a list<int> of 229 per row), KILN_BENCH_KILN_WARM (0; 1: the service first
# runs the same job into another table, not measured, and the measured job is its second, as a long-running service runs
# it), KILN_BENCH_POLL_SECONDS (1: how often the job's state is asked for; Kiln's wall time is taken to the job's
# recorded finishedAt).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${KILN_BENCH_DIR:-/tmp/kiln-ml-bench}"
flights="${KILN_FLIGHTS:-$HOME/.cache/kiln/vega-datasets-3.2.1/flights-3m.parquet}"
xmx="${KILN_BENCH_XMX:-2g}"
threads="${KILN_BENCH_SPARK_THREADS:-2}"
quiet_wait="${KILN_BENCH_QUIET_WAIT:-120}"
layout="${KILN_BENCH_ONEHOT_LAYOUT:-sparse}"
kiln_warm="${KILN_BENCH_KILN_WARM:-0}"
export KILN_BENCH_POLL_SECONDS="${KILN_BENCH_POLL_SECONDS:-1}"
engine="$root/checks/target/engine"
jar="$root/target/quarkus-app/quarkus-run.jar"
source "$root/bench/lib.sh"

[[ -f "$flights" ]] || fail "$flights is missing: install it with src/test/scripts/vega-flights.sh (npm pack vega-datasets)"
[[ -f "$engine/jvm.options" && -d "$engine/lib" ]] || fail "needs the check engine's Spark class path in $engine (build it: cd checks && ../mvnw -B package)"
stop_service_on_exit
build_if_missing "$root" "$jar"
commit="$(commit_label "$root")"
rm -rf "$work/data" "$work/spark-out"
mkdir -p "$work/input" "$work/classes" "$work/data"
cp "$flights" "$work/input/flights-3m.parquet"
if [[ ! -f "$work/classes/SparkMlFeatures.class" || "$root/bench/SparkMlFeatures.java" -nt "$work/classes/SparkMlFeatures.class" ]]; then
    javac -nowarn -d "$work/classes" -cp "$engine/lib/*" "$root/bench/SparkMlFeatures.java" || fail "cannot compile SparkMlFeatures.java"
fi

# --- Kiln --------------------------------------------------------------------------------------
wait_for_quiet kiln
start_service kiln "$work/data" "$work/input" "$xmx" "$jar" KILN_CHECKS_ENGINE_MODE=off
flights_job() { # table file
    cat >"$2" <<JOB
{"table": "$1", "source": {"uri": "file://$work/input/flights-3m.parquet", "format": "parquet", "id": {"from": "position"}},
 "steps": [
   {"name": "impute", "params": {"column": "delay", "strategy": "mean", "into": "delay_imputed"}},
   {"name": "encode", "params": {"column": "origin", "method": "onehot", "layout": "$layout"}},
   {"name": "scale", "params": {"column": "distance", "into": "distance_scaled"}}]}
JOB
}
flights_job bench.flights "$work/job.json"
if [[ "$kiln_warm" == 1 ]]; then
    # the same job into another table first, not measured
    flights_job bench.flights_warmup "$work/warm-job.json"
    warm_up_job kiln "$service_url" "$work/warm-job.json" "$work" 3600 "$service_pid"
fi
before="$(process_ticks "$service_pid")"
start="$(now)"
job="$(submit_job kiln "$service_url" "$work/job.json" "$work/submitted.json")"
await_job kiln "$service_url" "$job" "$work/kiln-job.json" 3600 "$service_pid"
state="$job_final_state"
after="$(process_ticks "$service_pid")"
[[ "$state" == PUBLISHED ]] || fail "the Kiln job ended $state (log: $work/data/service.log)"
end="$(python3 -c 'import datetime, json, sys; print(datetime.datetime.fromisoformat(json.load(open(sys.argv[1]))["finishedAt"].replace("Z", "+00:00")).timestamp())' "$work/kiln-job.json")"
snapshot="$(json "$work/kiln-job.json" 'j["snapshotId"]')"
curl -s "$service_url/v1/tables/bench.flights/snapshots/$snapshot/features" >"$work/kiln-features.json"
stop_service
python3 - "$work/kiln-job.json" "$work/kiln-features.json" "$before" "$after" "$ticks_per_second" "$start" "$end" >"$work/kiln.out" <<'PY'
import json, sys
job, features = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
before, after, ticks, start, end = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
out = {"rows": job["counts"]["written"], "cpu_s": (after - before) / ticks, "wall_s": end - start}
for f in features["features"]:
    s = f["state"]
    if "fills" in s: out["delay_mean"] = s["fills"]["[]"]
    if "groups" in s: out["distance_mean"], out["distance_std"] = s["groups"]["[]"]["mean"], s["groups"]["[]"]["std"]
    if "vocabulary" in s: out["origins"], out["first_origins"] = len(s["vocabulary"]), ",".join(v["value"] for v in s["vocabulary"][:5])
print(json.dumps(out))
PY

# --- Spark -------------------------------------------------------------------------------------
wait_for_quiet spark
export SPARK_LOCAL_IP=127.0.0.1
java "-Xmx$xmx" "@$engine/jvm.options" -cp "$work/classes:$engine/lib/*" SparkMlFeatures "$work/input/flights-3m.parquet" "$work/spark-out" "$threads" \
    >"$work/spark.out" 2>"$work/spark.log" || { tail -n 20 "$work/spark.log" >&2; fail "the Spark job failed (log: $work/spark.log)"; }

python3 - "$work/kiln.out" "$work/spark.out" "$commit" "$threads" "$xmx" "$layout" "$kiln_warm" <<'PY'
import json, sys
kiln = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
spark = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
commit, threads, xmx, layout, warm = sys.argv[3:]
print(f"Feature steps on the 3 M-row flights Parquet; commit {commit}; Kiln: {'a warm service (its second job)' if warm == '1' else 'a fresh service (its first job)'}, 2 job threads, java -Xmx{xmx}, one-hot {layout}; "
      f"Spark {spark['spark_version']} ML local[{threads}], java -Xmx{xmx}")
print("| side | rows | CPU s | wall s | rows per CPU s |")
print("|---|---:|---:|---:|---:|")
for name, side in (("Kiln", kiln), ("Spark ML", spark)):
    print(f"| {name} | {side['rows']:,} | {side['cpu_s']:.1f} | {side['wall_s']:.1f} | {side['rows'] / side['cpu_s']:,.0f} |")
print(f"Kiln / Spark ML, rows per CPU second: {(kiln['rows'] / kiln['cpu_s']) / (spark['rows'] / spark['cpu_s']):.2f}")
def close(a, b): return abs(a - b) <= 1e-9 * max(abs(a), abs(b))
for key in ("delay_mean", "distance_mean", "distance_std"):
    print(f"{key}: Kiln {kiln[key]!r}, Spark {spark[key]!r}, agree within 1e-9: {close(kiln[key], spark[key])}")
print(f"origins: Kiln {kiln['origins']} ({kiln['first_origins']}...), Spark {spark['origins']} ({spark['first_origins']}...), "
      f"same order: {kiln['first_origins'] == spark['first_origins'] and kiln['origins'] == spark['origins']}")
PY
