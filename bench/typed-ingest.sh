#!/usr/bin/env bash
# bench/typed-ingest.sh: Kiln's ingest of typed CSV, Parquet and JSON lines into Iceberg against Spark local mode
# doing the same, in the same run, per CPU second.
#
# For each input size (default 100 MB and 1 GB of CSV, decimal units) it
#   1. generates the rows once (bench/GenerateTyped.java: an id and 20 typed columns, the same rows as CSV and
#      JSON lines) and turns the CSV into one Parquet file with Spark (not measured); all kept in
#      $KILN_BENCH_DIR/input-<size>/,
#   2. for each format and round: waits (a while) for the machine to be quiet, then runs back to back
#      - Kiln: a fresh service (fresh data dir, free port, java -Xmx1g, check engine off), one job with the
#        typed source (declared schema, id field, unknownFields reject) and no steps; the service's CPU time from
#        submit to the job's end, the wall time, its peak RSS (VmHWM), rows written;
#      - Spark: bench/SparkTypedIngest.java in a fresh JVM (local[2], java -Xmx1g, Iceberg JdbcCatalog on SQLite):
#        read with the explicit schema, writeTo(...).append() into a table of Kiln's properties (zstd, row groups of
#        16 MiB, files of 128 MiB, ids without a dictionary); the process's CPU time and the wall time of only
#        that, its peak RSS, rows written;
#      alternating which goes first from one round to the next,
# then prints a table per format and size (MB and rows per CPU second of each, Kiln / Spark, wall seconds, peak
# RSS) and Kiln's peak RSS at the largest size over the smallest. It fails if either side writes a different
# number of rows than were generated.
#
# Environment:
#   KILN_BENCH_DIR            work dir (default /tmp/kiln-typed-bench): inputs, data dirs, logs, results
#   KILN_BENCH_SIZES          CSV sizes to generate (default "100M 1G"; e.g. "10M" for a quick check)
#   KILN_BENCH_FORMATS        formats to ingest (default "csv parquet jsonl")
#   KILN_BENCH_ROUNDS         rounds per size and format (default 1); the table shows medians
#   KILN_BENCH_SEED           generator seed (default 42)
#   KILN_BENCH_XMX            heap limit of the service and of Spark (default 1g)
#   KILN_BENCH_SPARK_XMX      Spark's heap limit, if it must differ (default: KILN_BENCH_XMX)
#   KILN_BENCH_SPARK_THREADS  Spark's local[N] (default 2, like Kiln's two job threads)
#   KILN_BENCH_TIMEOUT        seconds to wait for one job, either side (default 3600)
#   KILN_BENCH_QUIET_WAIT     seconds to wait for other processes to use < 0.5 cores before each pair (default 300; 0: don't wait)
#   KILN_BENCH_POLL_SECONDS   how often the job's state is asked for while Kiln runs (default 1): each poll starts curl and
#                             jq and makes the service answer, CPU taken from the measured job; its wall time is taken
#                             from the job's finishedAt, not from the poll that sees it
#   KILN_BENCH_KILN_WARM      1: Kiln's service first runs the same job into another table, not measured, so that the measured
#                             job is a warm service's (as Spark's start-up is left out of its time); default 0: a fresh service's first job
#   KILN_JOB_THREADS, KILN_WORKERS, KILN_BATCH_SIZE, ...  passed to the service as usual
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/target/quarkus-app/quarkus-run.jar"
engine="$root/checks/target/engine"
work="${KILN_BENCH_DIR:-/tmp/kiln-typed-bench}"
sizes="${KILN_BENCH_SIZES:-100M 1G}"
formats="${KILN_BENCH_FORMATS:-csv parquet jsonl}"
rounds="${KILN_BENCH_ROUNDS:-1}"
seed="${KILN_BENCH_SEED:-42}"
xmx="${KILN_BENCH_XMX:-1g}"
spark_xmx="${KILN_BENCH_SPARK_XMX:-$xmx}"
spark_threads="${KILN_BENCH_SPARK_THREADS:-2}"
kiln_warm="${KILN_BENCH_KILN_WARM:-0}"
export KILN_BENCH_POLL_SECONDS="${KILN_BENCH_POLL_SECONDS:-1}"
job_timeout="${KILN_BENCH_TIMEOUT:-3600}"
quiet_wait="${KILN_BENCH_QUIET_WAIT:-300}"
# shared helpers: say, fail, machine_busy_ticks, wait_for_quiet, stop_service
source "$root/bench/lib.sh"

require_spark_peer_tools
[[ -r /proc/self/status && -r /proc/stat ]] || fail "needs Linux /proc (RSS and CPU are read from it)"
for format in $formats; do
    [[ "$format" == csv || "$format" == parquet || "$format" == jsonl ]] || fail "KILN_BENCH_FORMATS: unknown format $format (csv, parquet, jsonl)"
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || fail "KILN_BENCH_ROUNDS must be a positive whole number, was $rounds"
[[ -f "$engine/jvm.options" && -d "$engine/lib" ]] ||
    fail "needs the check engine's Spark class path in $engine (build it: cd checks && ../mvnw -B package)"

stop_service_on_exit

table_files() { # a table's data dir -> number of Parquet data files, their bytes
    find "$1" -name '*.parquet' -printf '%s\n' 2>/dev/null | awk '{ n++; s += $1 } END { printf "%d\t%d\n", n, s }'
}

manifest() { # dir key -> value from manifest.tsv
    awk -F'\t' -v k="$2" '$1 == k { print $2 }' "$1/manifest.tsv"
}

# --- build -----------------------------------------------------------------------------------
build_if_missing "$root" "$jar"
commit="$(commit_label "$root")"

mkdir -p "$work"
work="$(cd "$work" && pwd)"
classes="$work/classes"
if [[ ! -f "$classes/SparkTypedIngest.class" || "$root/bench/SparkTypedIngest.java" -nt "$classes/SparkTypedIngest.class" ]]; then
    say "compiling bench/SparkTypedIngest.java against $engine/lib"
    rm -rf "$classes"
    mkdir -p "$classes"
    javac -nowarn -d "$classes" -cp "$engine/lib/*" "$root/bench/SparkTypedIngest.java" || fail "cannot compile SparkTypedIngest.java"
fi
spark_java=(java "-Xmx$spark_xmx" "-Dclk.tck=$ticks_per_second" "@$engine/jvm.options" -cp "$classes:$engine/lib/*" SparkTypedIngest)
export SPARK_LOCAL_IP=127.0.0.1

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
results="$work/results-$stamp.tsv"
settings="workers=${KILN_WORKERS:-2} job-threads=${KILN_JOB_THREADS:-2} batch-size=${KILN_BATCH_SIZE:-1000} target-file-size-bytes=${KILN_TARGET_FILE_SIZE_BYTES:-134217728}"
printf 'size\tformat\tround\tengine\tfirst\tinput_bytes\trows\trows_written\trows_rejected\tcpu_s\twall_s\tjob_s\tpeak_rss_mb\tothers_cores\tdata_files\toutput_bytes\theap_after_gc_mb\n' >"$results"
say "work dir $work; jar $jar (commit $commit); $(nproc) cores; Kiln: $settings, java -Xmx$xmx; Spark: local[$spark_threads], java -Xmx$spark_xmx"

# --- inputs ----------------------------------------------------------------------------------
# Generates input-<size>/ once: data.csv, data.jsonl and the schemas (GenerateTyped), data.parquet (Spark). The key
# (size, seed, the generator's source) says whether what is there can be reused.
prepare_inputs() {
    local label="$1" dir="$2" bytes key
    bytes="$(size_bytes "$label")"
    key="$bytes $seed $(sha256sum "$root/bench/GenerateTyped.java" | cut -c1-16)"
    if [[ -f "$dir/key" && "$(cat "$dir/key")" == "$key" && -f "$dir/data.csv" && -f "$dir/data.jsonl" ]]; then
        say "[$label] CSV and JSON lines present: $dir ($(manifest "$dir" rows) rows)"
    else
        rm -rf "$dir"
        mkdir -p "$dir"
        say "[$label] generating $bytes bytes of CSV and the same rows as JSON lines into $dir (seed $seed)"
        java "$root/bench/GenerateTyped.java" "$dir" "$bytes" "$seed" >"$dir/generate.out" || fail "[$label] GenerateTyped failed"
        printf '%s\n' "$key" >"$dir/key"
    fi
    if [[ ! -f "$dir/data.parquet" ]]; then
        say "[$label] writing the rows as Parquet with Spark (not measured)"
        timeout "$job_timeout" "${spark_java[@]}" parquet "$dir/data.csv" "$dir/spark-read.ddl" "$dir/data.parquet" \
            >"$dir/parquet.out" 2>"$dir/parquet.log" || { tail -n 30 "$dir/parquet.log" >&2; fail "[$label] the Parquet conversion failed (log: $dir/parquet.log)"; }
    fi
}

fresh_run_dir() { # side label format -> an empty dir for one run, made anew
    local dir
    dir="$work/$1-$(tr '[:upper:]' '[:lower:]' <<<"$2")-$3"
    rm -rf "$dir"
    mkdir -p "$dir"
    printf '%s\n' "$dir"
}

# --- Kiln --------------------------------------------------------------------------------------
typed_spec() { # table input format schema-file -> the job spec: the typed source, no steps
    python3 - "$@" <<'EOF'
import json, sys
table, path, fmt, schema = sys.argv[1:]
print(json.dumps({"table": table, "source": {"uri": "file://" + path, "format": fmt, "schema": json.load(open(schema)),
                                             "id": "id", "unknownFields": "reject"}}))
EOF
}

run_kiln() {
    local label="$1" format="$2" round="$3" first="$4" input_dir="$5"
    local input="$input_dir/data.$format" rows data
    rows="$(manifest "$input_dir" rows)"
    data="$(fresh_run_dir kiln "$label" "$format")"
    start_service "$label $format Kiln" "$data" "$input_dir" "$xmx" "$jar" KILN_CHECKS_ENGINE_MODE=off
    local url="$service_url" log="$data/service.log"

    local spec="$data/job-spec.json" submitted="$data/submitted.json" id
    typed_spec bench.typed "$input" "$format" "$input_dir/kiln-schema.json" >"$spec"
    if [[ "$kiln_warm" == 1 ]]; then
        # the same job into another table first, not measured
        typed_spec bench.warmup "$input" "$format" "$input_dir/kiln-schema.json" >"$data/warm-spec.json"
        warm_up_job "$label $format" "$url" "$data/warm-spec.json" "$data" "$job_timeout" "$service_pid"
    fi
    local submitted_at busy_before kiln_before
    busy_before="$(machine_busy_ticks)"
    kiln_before="$(process_ticks "$service_pid")"
    submitted_at="$(now)"
    id="$(submit_job "$label $format" "$url" "$spec" "$submitted")"

    local job="$data/job.json" state
    await_job "$label $format" "$url" "$id" "$job" "$job_timeout" "$service_pid"
    state="$job_final_state"
    local ended_at peak_rss busy_after kiln_after
    ended_at="$(now)"
    kiln_after="$(process_ticks "$service_pid")"
    busy_after="$(machine_busy_ticks)"
    peak_rss="$(proc_kb "$service_pid" VmHWM)"
    stop_service
    if [[ "$state" != PUBLISHED ]]; then
        python3 -m json.tool "$job" >&2 || cat "$job" >&2
        fail "[$label $format] Kiln job $id ended $state (log: $log)"
    fi
    python3 - "$job" "$label" "$format" "$round" "$first" "$(stat -c %s "$input")" "$rows" "$peak_rss" "$submitted_at" "$ended_at" \
        "$kiln_before" "$kiln_after" "$busy_before" "$busy_after" "$ticks_per_second" "$(table_files "$data/warehouse/bench/typed/data")" "$(heap_after_gc "$data/gc.log")" \
        >>"$results" <<'EOF'
import json, sys
from datetime import datetime
(job_file, label, fmt, rnd, first, size, rows, peak_kb, submitted, ended, kiln_before, kiln_after, busy_before, busy_after,
 ticks, output, heap) = sys.argv[1:]
j = json.load(open(job_file))
def instant(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))
counts = j.get("counts") or {}
job_s = (instant(j["finishedAt"]) - instant(j["startedAt"])).total_seconds()
# from submit to the job's end as the service recorded it (same clock), not to the poll that saw it
wall = instant(j["finishedAt"]).timestamp() - float(submitted)
ticks = float(ticks)
cpu = (int(kiln_after) - int(kiln_before)) / ticks
others = max(0.0, ((int(busy_after) - int(busy_before)) / ticks - cpu) / wall)
row = [label, fmt, rnd, "kiln", first, size, rows, counts.get("written"), counts.get("rejected"), f"{cpu:.2f}", f"{wall:.2f}",
       f"{job_s:.2f}", f"{int(peak_kb) / 1024:.0f}", f"{others:.2f}"] + output.split("\t") + [heap]
print("\t".join(str(x) for x in row))
EOF
    local written rejected
    written="$(tail -n 1 "$results" | cut -f 8)"
    rejected="$(tail -n 1 "$results" | cut -f 9)"
    if [[ "$written" != "$rows" ]]; then
        json "$job" 'json.dumps({"counts": j.get("counts"), "rejectedByReason": j.get("rejectedByReason")}, indent=2)' >&2
        fail "[$label $format] Kiln wrote $written rows ($rejected rejected), the generator made $rows (job: $job)"
    fi
    say "[$label $format] Kiln: $(tail -n 1 "$results" | awk -F'\t' '{ printf "%s rows, %s CPU s, %s s wall, peak RSS %s MB", $8, $10, $11, $13 }')"
}

heap_after_gc() { # a unified GC log (-Xlog:gc) -> the largest heap left after a collection, in MB: the live data, whatever the heap size
    python3 -c '
import re, sys
units = {"K": 1 / 1024, "M": 1, "G": 1024}
after = 0.0
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"Pause .*?(\d+)([KMG])->(\d+)([KMG])\(", line)
    if m:
        after = max(after, int(m.group(3)) * units[m.group(4)])
print(f"{after:.0f}")' "$1"
}

# --- Spark -----------------------------------------------------------------------------------
run_spark() {
    local label="$1" format="$2" round="$3" first="$4" input_dir="$5"
    local input="$input_dir/data.$format" rows data
    rows="$(manifest "$input_dir" rows)"
    data="$(fresh_run_dir spark "$label" "$format")"
    say "[$label $format] Spark: local[$spark_threads], java -Xmx$spark_xmx (log $data/spark.log)"
    if ! timeout "$job_timeout" "${spark_java[0]}" "-Xlog:gc:file=$data/gc.log" "${spark_java[@]:1}" ingest "$format" "$input" "$input_dir/spark-read.ddl" "$input_dir/spark-table.ddl" \
        "$data" "$spark_threads" >"$data/spark.out" 2>"$data/spark.log"; then
        grep -m 5 -E 'Exception|Error' "$data/spark.log" >&2 || tail -n 30 "$data/spark.log" >&2
        fail "[$label $format] the Spark job failed (log: $data/spark.log)"
    fi
    python3 - "$data/spark.out" "$label" "$format" "$round" "$first" "$(stat -c %s "$input")" "$rows" \
        "$(table_files "$data/warehouse/bench/t/data")" "$(heap_after_gc "$data/gc.log")" >>"$results" <<'EOF'
import sys
out, label, fmt, rnd, first, size, rows, output, heap = sys.argv[1:]
v = dict(line.strip().split("=", 1) for line in open(out) if "=" in line)
row = [label, fmt, rnd, "spark", first, size, rows, v["rows"], 0, v["cpu_s"], v["wall_s"], v["wall_s"],
       f"{int(v['peak_rss_kb']) / 1024:.0f}", v["others_cores"]] + output.split("\t") + [heap]
print("\t".join(str(x) for x in row))
EOF
    local written
    written="$(tail -n 1 "$results" | cut -f 8)"
    [[ "$written" == "$rows" ]] || fail "[$label $format] Spark wrote $written rows, the generator made $rows (log: $data/spark.log)"
    say "[$label $format] Spark: $(tail -n 1 "$results" | awk -F'\t' '{ printf "%s rows, %s CPU s, %s s wall, peak RSS %s MB", $8, $10, $11, $13 }')"
}

# --- runs ------------------------------------------------------------------------------------
for size in $sizes; do
    input_dir="$work/input-$(tr '[:upper:]' '[:lower:]' <<<"$size")"
    prepare_inputs "$size" "$input_dir"
    for format in $formats; do
        for round in $(seq 1 "$rounds"); do
            wait_for_quiet "$size $format"
            if ((round % 2 == 1)); then
                run_kiln "$size" "$format" "$round" yes "$input_dir"
                run_spark "$size" "$format" "$round" no "$input_dir"
            else
                run_spark "$size" "$format" "$round" yes "$input_dir"
                run_kiln "$size" "$format" "$round" no "$input_dir"
            fi
        done
    done
done

# --- report ----------------------------------------------------------------------------------
spark_version="$( (sed -n 's/^spark_version=//p' "$work"/spark-*/spark.out 2>/dev/null || true) | head -n 1)"
python3 - "$results" "$commit" "$settings" "$xmx" "$spark_xmx" "$spark_threads" "$(nproc)" "$rounds" "${spark_version:-?}" <<'EOF'
import csv, os, statistics, sys
results, commit, settings, xmx, spark_xmx, spark_threads, cores, rounds, spark_version = sys.argv[1:]
rows = list(csv.DictReader(open(results), delimiter="\t"))
groups = {}
for r in rows:
    groups.setdefault((r["size"], r["format"]), {}).setdefault(r["engine"], []).append(r)
def med(rs, key):
    return statistics.median(float(r[key]) for r in rs)
out = []
print()
print(f"Typed ingest into Iceberg, Kiln vs Spark {spark_version} local[{spark_threads}]; commit {commit}; Kiln {settings}, "
      f"java -Xmx{xmx}; Spark java -Xmx{spark_xmx}; {cores} cores; {rounds} round(s), medians; 1 MB = 10^6 bytes")
print()
head = ["size", "format", "input MB", "rows", "Kiln MB/CPU-s", "Kiln rows/CPU-s", "Spark MB/CPU-s", "Spark rows/CPU-s",
        "Kiln / Spark per CPU-s", "Kiln CPU s", "Spark CPU s", "Kiln wall s", "Spark wall s", "Kiln peak RSS MB",
        "Spark peak RSS MB", "heap after GC MB K / S", "data files K / S", "output MB K / S", "others' cores K / S"]
print("| " + " | ".join(head) + " |")
print("|" + "|".join("---" for _ in head) + "|")
tsv = [head]
for (size, fmt), by in groups.items():
    k, s = by["kiln"], by["spark"]
    mb = int(k[0]["input_bytes"]) / 1e6
    n = int(k[0]["rows"])
    kc, sc = med(k, "cpu_s"), med(s, "cpu_s")
    line = [size, fmt, f"{mb:.1f}", str(n), f"{mb / kc:.2f}", f"{n / kc:,.0f}", f"{mb / sc:.2f}", f"{n / sc:,.0f}",
            f"{sc / kc:.2f}", f"{kc:.1f}", f"{sc:.1f}", f"{med(k, 'wall_s'):.1f}", f"{med(s, 'wall_s'):.1f}",
            f"{med(k, 'peak_rss_mb'):.0f}", f"{med(s, 'peak_rss_mb'):.0f}",
            f"{med(k, 'heap_after_gc_mb'):.0f} / {med(s, 'heap_after_gc_mb'):.0f}",
            f"{k[-1]['data_files']} / {s[-1]['data_files']}",
            f"{int(k[-1]['output_bytes']) / 1e6:.1f} / {int(s[-1]['output_bytes']) / 1e6:.1f}",
            f"{max(float(r['others_cores']) for r in k):.2f} / {max(float(r['others_cores']) for r in s):.2f}"]
    print("| " + " | ".join(line) + " |")
    tsv.append([x.replace(",", "") for x in line])
print()
def size_of(label):
    v = label.upper().removesuffix("B")
    units = {"K": 10**3, "M": 10**6, "G": 10**9}
    return int(v[:-1]) * units[v[-1]] if v[-1] in units else int(v)
sizes = sorted({size for size, _ in groups}, key=size_of)
if len(sizes) > 1:
    small, large = sizes[0], sizes[-1]
    for fmt in dict.fromkeys(f for _, f in groups):
        if (small, fmt) in groups and (large, fmt) in groups:
            a, b = groups[(small, fmt)], groups[(large, fmt)]
            print(f"{fmt}: peak RSS {large} / {small}: Kiln {med(b['kiln'], 'peak_rss_mb') / med(a['kiln'], 'peak_rss_mb'):.2f}, "
                  f"Spark {med(b['spark'], 'peak_rss_mb') / med(a['spark'], 'peak_rss_mb'):.2f}; heap after GC {large} / {small}: "
                  f"Kiln {med(b['kiln'], 'heap_after_gc_mb') / max(1.0, med(a['kiln'], 'heap_after_gc_mb')):.2f}, "
                  f"Spark {med(b['spark'], 'heap_after_gc_mb') / max(1.0, med(a['spark'], 'heap_after_gc_mb')):.2f} (input ratio {size_of(large) / size_of(small):.0f})")
    print()
print("input MB = the input file's size (CSV, Parquet or JSON lines: the same rows; sizes are the CSV's); rows/CPU-s compares formats.")
print(f"Kiln CPU s = the service process's CPU time from submit to the job's end as seen by polling (every {os.environ['KILN_BENCH_POLL_SECONDS']} s); "
      f"Kiln wall s to the job's recorded end; {'a warm service (its second job)' if os.environ.get('KILN_BENCH_KILN_WARM') == '1' else 'a fresh service (its first job)'};")
print("Spark CPU s = the Spark JVM's CPU time from spark.read to the return of writeTo(...).append() (start-up and table creation excluded).")
print("Kiln / Spark per CPU-s = Spark CPU s / Kiln CPU s: above 1, Kiln does the same ingest on less CPU. Peak RSS = VmHWM of the whole process.")
print("heap after GC = the most heap any collection left (-Xlog:gc): the data a process holds, whatever size its heap grew to.")
print("data files, output MB = the table's Parquet data files after the job (Kiln's carry its five lineage columns too; last round).")
print("others' cores = CPUs kept busy by other processes during the job (max over rounds).")
summary = results.removesuffix(".tsv") + "-table.tsv"
with open(summary, "w") as f:
    for line in tsv:
        f.write("\t".join(line) + "\n")
print(f"Raw results: {results}; table: {summary}")
EOF
