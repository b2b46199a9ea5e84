#!/usr/bin/env bash
# bench/spark-peer.sh: Kiln's `normalize` ingest of the JSON-lines corpus against Spark local mode doing the same
# (Kiln's own normalize in a Java UDF) and against Spark's bare read -> write, in the same run, interleaved.
#
# It
#   1. generates the corpus once (bench/GenerateCorpus.java, the one bench/ingest-throughput.sh uses; kept in
#      $KILN_BENCH_DIR/input-<size>/) and compiles bench/SparkTextIngest.java against the check engine's Spark
#      class path (checks/target/engine/lib) and Kiln's classes (target/quarkus-app/app/*.jar),
#   2. reads the corpus once (not measured) so that every side sees a warm page cache, then for each round runs
#      these three, each after waiting (a while) for a quiet machine, taking turns going first:
#      - Kiln: a fresh service (fresh data dir, free port, java -Xmx1g, check engine off), one job (jsonl, steps
#        [normalize]); the service's CPU time, rchar and read_bytes (/proc/<pid>/io) from submit to the job's end
#        (polled every 0.25 s), the wall time, its peak RSS (VmHWM), the rows written;
#      - Spark normalize: bench/SparkTextIngest.java in a fresh JVM (local[2], java -Xmx1g, Iceberg JdbcCatalog on
#        SQLite, a table (id, text) with Kiln's table properties): read with an explicit schema, Kiln's
#        NormalizeStep in a non-deterministic UDF, writeTo(...).append(); CPU, wall, rchar and read_bytes
#        (/proc/self/io) of only that, its peak RSS, the rows written;
#      - Spark bare: the same read and write without the UDF,
# then prints a table per round and a summary (medians; Kiln / Spark per CPU second and per wall second). It fails
# if any side writes a different number of rows than the corpus has records.
#
# Environment:
#   KILN_BENCH_DIR            work dir (default /tmp/kiln-peer-bench): input, data dirs, logs, results
#   KILN_BENCH_SIZE           corpus size (default 1G, decimal units; 10M for a quick check)
#   KILN_BENCH_ROUNDS         rounds (default 3); the summary shows medians
#   KILN_BENCH_SEED           corpus seed (default 42)
#   KILN_BENCH_XMX            heap limit of the service and of Spark (default 1g)
#   KILN_BENCH_SPARK_THREADS  Spark's local[N] (default 2, like Kiln's two job threads)
#   KILN_BENCH_TIMEOUT        seconds to wait for one job, either side (default 3600)
#   KILN_BENCH_QUIET_WAIT     seconds to wait for other processes to use < 0.5 cores before each side (default 300; 0: don't wait)
#   KILN_BENCH_POLL_SECONDS   how often the job's state is asked for while Kiln runs (default 1): each poll starts curl and
#                             jq and makes the service answer, CPU taken from the measured job; its wall time is taken
#                             from the job's finishedAt, not from the poll that sees it
#   KILN_BENCH_KILN_WARM      1: Kiln's service first runs the same job into another table, not measured, so that the measured
#                             job is a warm service's (as Spark's start-up is left out of its time); default 0: a fresh service's first job
#   KILN_JOB_THREADS, KILN_WORKERS, KILN_BATCH_SIZE, KILN_TARGET_FILE_SIZE_BYTES, KILN_ZSTD_LEVEL, ...  passed to the
#                             service as usual (the last two set Spark's table's file size and zstd level too)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/target/quarkus-app/quarkus-run.jar"
engine="$root/checks/target/engine"
work="${KILN_BENCH_DIR:-/tmp/kiln-peer-bench}"
size="${KILN_BENCH_SIZE:-1G}"
rounds="${KILN_BENCH_ROUNDS:-3}"
seed="${KILN_BENCH_SEED:-42}"
xmx="${KILN_BENCH_XMX:-1g}"
spark_threads="${KILN_BENCH_SPARK_THREADS:-2}"
job_timeout="${KILN_BENCH_TIMEOUT:-3600}"
quiet_wait="${KILN_BENCH_QUIET_WAIT:-300}"
kiln_warm="${KILN_BENCH_KILN_WARM:-0}"
export KILN_BENCH_POLL_SECONDS="${KILN_BENCH_POLL_SECONDS:-1}"
target_file_size="${KILN_TARGET_FILE_SIZE_BYTES:-134217728}"
zstd_level="${KILN_ZSTD_LEVEL:-}"
# shared helpers: say, fail, machine_busy_ticks, wait_for_quiet, start_service, stop_service, ...
source "$root/bench/lib.sh"

require_spark_peer_tools
[[ -r /proc/self/status && -r /proc/stat && -r /proc/self/io ]] || fail "needs Linux /proc (RSS, CPU and I/O are read from it)"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || fail "KILN_BENCH_ROUNDS must be a positive whole number, was $rounds"
[[ -z "$zstd_level" || "$zstd_level" =~ ^[0-9]+$ ]] || fail "KILN_ZSTD_LEVEL must be a whole number, was $zstd_level"
[[ -f "$engine/jvm.options" && -d "$engine/lib" ]] ||
    fail "needs the check engine's Spark class path in $engine (build it: cd checks && ../mvnw -B package)"

stop_service_on_exit

proc_io() { # pid field -> the field of /proc/<pid>/io (rchar, read_bytes, ...), or empty
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/io" 2>/dev/null || true
}

table_files() { # a table's data dir -> number of Parquet data files, their bytes
    find "$1" -name '*.parquet' -printf '%s\n' 2>/dev/null | awk '{ n++; s += $1 } END { printf "%d\t%d\n", n, s }'
}

# --- build -----------------------------------------------------------------------------------
build_if_missing "$root" "$jar"
commit="$(commit_label "$root")"
kiln_classes="$(find "$root/target/quarkus-app/app" -maxdepth 1 -name '*.jar' 2>/dev/null | head -n 1)"
[[ -n "$kiln_classes" ]] || kiln_classes="$root/target/classes"
[[ -e "$kiln_classes/io/kiln/transform/text/NormalizeStep.class" || "$kiln_classes" == *.jar ]] ||
    fail "needs Kiln's classes for the UDF: no jar in $root/target/quarkus-app/app and no $root/target/classes (build: ./mvnw -DskipTests package)"

mkdir -p "$work"
work="$(cd "$work" && pwd)"
classes="$work/classes"
if [[ ! -f "$classes/SparkTextIngest.class" || "$root/bench/SparkTextIngest.java" -nt "$classes/SparkTextIngest.class" ||
    "$root/bench/SparkTypedIngest.java" -nt "$classes/SparkTextIngest.class" || "$kiln_classes" -nt "$classes/SparkTextIngest.class" ]]; then
    say "compiling bench/SparkTextIngest.java against $engine/lib and $kiln_classes"
    rm -rf "$classes"
    mkdir -p "$classes"
    javac -nowarn -d "$classes" -cp "$engine/lib/*:$kiln_classes" "$root/bench/SparkTextIngest.java" "$root/bench/SparkTypedIngest.java" ||
        fail "cannot compile SparkTextIngest.java"
fi
spark_java=(java "-Xmx$xmx" "-Dclk.tck=$ticks_per_second" "@$engine/jvm.options" -cp "$classes:$kiln_classes:$engine/lib/*" SparkTextIngest)
export SPARK_LOCAL_IP=127.0.0.1

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
results="$work/results-$stamp.tsv"
settings="workers=${KILN_WORKERS:-2} job-threads=${KILN_JOB_THREADS:-2} batch-size=${KILN_BATCH_SIZE:-1000} target-file-size-bytes=$target_file_size zstd-level=${zstd_level:-default}"
printf 'size\tround\tside\tposition\tinput_bytes\trecords\trows_written\trows_rejected\tcpu_s\twall_s\tjob_s\trchar\tread_bytes\tpeak_rss_mb\tothers_cores\tdata_files\toutput_bytes\n' >"$results"
say "work dir $work; jar $jar (commit $commit); $(nproc) cores; Kiln: $settings, java -Xmx$xmx; Spark: local[$spark_threads], java -Xmx$xmx"

# --- input -----------------------------------------------------------------------------------
name="$(tr '[:upper:]' '[:lower:]' <<<"$size")"
text_corpus "$root" "$work" "$size" "$seed"
input_dir="$corpus_dir" input="$corpus" records="$corpus_records" bytes="$corpus_bytes"

fresh_run_dir() { # side -> an empty dir for one run, made anew
    local dir="$work/$1-$name"
    rm -rf "$dir"
    mkdir -p "$dir"
    printf '%s\n' "$dir"
}

# --- Kiln --------------------------------------------------------------------------------------
run_kiln() {
    local round="$1" position="$2" data
    data="$(fresh_run_dir kiln)"
    start_service "$size Kiln" "$data" "$input_dir" "$xmx" "$jar" KILN_CHECKS_ENGINE_MODE=off
    local url="$service_url" log="$data/service.log"

    local spec="$data/job-spec.json" submitted="$data/submitted.json" id
    normalize_spec bench.docs "$input" "$spec"
    if [[ "$kiln_warm" == 1 ]]; then
        # the same job into another table first, not measured
        normalize_spec bench.warmup "$input" "$data/warm-spec.json"
        warm_up_job "$size" "$url" "$data/warm-spec.json" "$data" "$job_timeout" "$service_pid"
    fi
    local submitted_at busy_before kiln_before rchar_before read_before
    busy_before="$(machine_busy_ticks)"
    kiln_before="$(process_ticks "$service_pid")"
    rchar_before="$(proc_io "$service_pid" rchar)"
    read_before="$(proc_io "$service_pid" read_bytes)"
    submitted_at="$(now)"
    id="$(submit_job "$size" "$url" "$spec" "$submitted")"

    local job="$data/job.json" state
    await_job "$size" "$url" "$id" "$job" "$job_timeout" "$service_pid"
    state="$job_final_state"
    local ended_at peak_rss busy_after kiln_after rchar_after read_after
    ended_at="$(now)"
    kiln_after="$(process_ticks "$service_pid")"
    rchar_after="$(proc_io "$service_pid" rchar)"
    read_after="$(proc_io "$service_pid" read_bytes)"
    busy_after="$(machine_busy_ticks)"
    peak_rss="$(proc_kb "$service_pid" VmHWM)"
    stop_service
    if [[ "$state" != PUBLISHED ]]; then
        python3 -m json.tool "$job" >&2 || cat "$job" >&2
        fail "[$size] Kiln job $id ended $state (log: $log)"
    fi
    python3 - "$job" "$size" "$round" "$position" "$bytes" "$records" "$peak_rss" "$submitted_at" "$ended_at" \
        "$kiln_before" "$kiln_after" "$busy_before" "$busy_after" "$ticks_per_second" \
        "${rchar_before:--1}" "${rchar_after:--1}" "${read_before:--1}" "${read_after:--1}" \
        "$(table_files "$data/warehouse/bench/docs/data")" >>"$results" <<'EOF'
import json, sys
from datetime import datetime
(job_file, size, rnd, position, input_bytes, records, peak_kb, submitted, ended, kiln_before, kiln_after, busy_before, busy_after,
 ticks, rchar_before, rchar_after, read_before, read_after, output) = sys.argv[1:]
j = json.load(open(job_file))
def instant(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))
def delta(a, b):
    return -1 if int(a) < 0 or int(b) < 0 else int(b) - int(a)
counts = j.get("counts") or {}
job_s = (instant(j["finishedAt"]) - instant(j["startedAt"])).total_seconds()
# from submit to the job's end as the service recorded it (same clock), not to the poll that saw it
wall = instant(j["finishedAt"]).timestamp() - float(submitted)
ticks = float(ticks)
cpu = (int(kiln_after) - int(kiln_before)) / ticks
others = max(0.0, ((int(busy_after) - int(busy_before)) / ticks - cpu) / wall)
row = [size, rnd, "kiln", position, input_bytes, records, counts.get("written"), counts.get("rejected"), f"{cpu:.2f}", f"{wall:.2f}",
       f"{job_s:.2f}", delta(rchar_before, rchar_after), delta(read_before, read_after), f"{int(peak_kb) / 1024:.0f}", f"{others:.2f}"] + output.split("\t")
print("\t".join(str(x) for x in row))
EOF
    local written rejected
    written="$(tail -n 1 "$results" | cut -f 7)"
    rejected="$(tail -n 1 "$results" | cut -f 8)"
    if [[ "$written" != "$records" ]]; then
        json "$job" 'json.dumps({"counts": j.get("counts"), "rejectedByReason": j.get("rejectedByReason")}, indent=2)' >&2
        fail "[$size] Kiln wrote $written rows ($rejected rejected), the corpus has $records records (job: $job)"
    fi
    say "[$size] Kiln: $(tail -n 1 "$results" | awk -F'\t' '{ printf "%s rows, %s CPU s, %s s wall, peak RSS %s MB", $7, $9, $10, $14 }')"
}

# --- Spark -----------------------------------------------------------------------------------
run_spark() { # mode (normalize or bare) round position
    local mode="$1" round="$2" position="$3" data
    data="$(fresh_run_dir "spark-$mode")"
    say "[$size] Spark $mode: local[$spark_threads], java -Xmx$xmx (log $data/spark.log)"
    if ! timeout "$job_timeout" "${spark_java[@]}" "$mode" "$input" "$data" "$spark_threads" "$target_file_size" ${zstd_level:+"$zstd_level"} \
        >"$data/spark.out" 2>"$data/spark.log"; then
        grep -m 5 -E 'Exception|Error' "$data/spark.log" >&2 || tail -n 30 "$data/spark.log" >&2
        fail "[$size] Spark $mode failed (log: $data/spark.log)"
    fi
    python3 - "$data/spark.out" "$size" "$round" "spark-$mode" "$position" "$bytes" "$records" \
        "$(table_files "$data/warehouse/bench/t/data")" >>"$results" <<'EOF'
import sys
out, size, rnd, side, position, input_bytes, records, output = sys.argv[1:]
v = dict(line.strip().split("=", 1) for line in open(out) if "=" in line)
row = [size, rnd, side, position, input_bytes, records, v["rows"], int(records) - int(v["rows"]), v["cpu_s"], v["wall_s"], v["wall_s"],
       v["rchar"], v["read_bytes"], f"{int(v['peak_rss_kb']) / 1024:.0f}", v["others_cores"]] + output.split("\t")
print("\t".join(str(x) for x in row))
EOF
    local written
    written="$(tail -n 1 "$results" | cut -f 7)"
    [[ "$written" == "$records" ]] || fail "[$size] Spark $mode wrote $written rows, the corpus has $records records (log: $data/spark.log)"
    say "[$size] Spark $mode: $(tail -n 1 "$results" | awk -F'\t' '{ printf "%s rows, %s CPU s, %s s wall, peak RSS %s MB", $7, $9, $10, $14 }')"
}

run_side() { # side round position
    wait_for_quiet "$size $1"
    case "$1" in
        kiln) run_kiln "$2" "$3" ;;
        spark-normalize) run_spark normalize "$2" "$3" ;;
        spark-bare) run_spark bare "$2" "$3" ;;
    esac
}

# --- runs ------------------------------------------------------------------------------------
sides=(kiln spark-normalize spark-bare)
for round in $(seq 1 "$rounds"); do
    for position in 0 1 2; do
        run_side "${sides[$(((round - 1 + position) % 3))]}" "$round" "$((position + 1))"
    done
done

# --- report ----------------------------------------------------------------------------------
spark_version="$(sed -n 's/^spark_version=//p' "$work/spark-normalize-$name/spark.out" 2>/dev/null | head -n 1)"
properties="$(sed -n 's/^table_properties=//p' "$work/spark-normalize-$name/spark.out" 2>/dev/null | head -n 1)"
python3 - "$results" "$commit" "$settings" "$xmx" "$spark_threads" "$(nproc)" "${spark_version:-?}" "${properties:-?}" <<'EOF'
import csv, os, statistics, sys
results, commit, settings, xmx, spark_threads, cores, spark_version, properties = sys.argv[1:]
rows = list(csv.DictReader(open(results), delimiter="\t"))
names = {"kiln": "Kiln normalize", "spark-normalize": "Spark normalize (UDF)", "spark-bare": "Spark bare"}
def mb(r):
    return int(r["input_bytes"]) / 1e6
def per_input(r, key):
    return "n/a" if int(r[key]) < 0 else f"{int(r[key]) / int(r['input_bytes']):.3f}"
rounds = {}
for r in rows:
    rounds.setdefault(int(r["round"]), {})[r["side"]] = r
first = rows[0]
print()
print(f"Kiln normalize vs Spark {spark_version} local[{spark_threads}], JSON lines into Iceberg; {mb(first):.1f} MB, {first['records']} records; "
      f"commit {commit}; Kiln {settings}, java -Xmx{xmx}; Spark java -Xmx{xmx}; {cores} cores; 1 MB = 10^6 bytes")
head = ["round", "order", "side", "rows written", "CPU s", "wall s", "MB/CPU-s", "MB/s", "rchar / input", "read_bytes / input",
        "peak RSS MB", "data files", "output MB", "others' cores"]
ratios = {"cpu_normalize": [], "wall_normalize": [], "cpu_bare": [], "cpu_udf": []}
for rnd, by in sorted(rounds.items()):
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for side in sorted(by, key=lambda s: int(by[s]["position"])):
        r = by[side]
        cpu, wall = float(r["cpu_s"]), float(r["wall_s"])
        line = [str(rnd), r["position"], names[side], r["rows_written"], f"{cpu:.1f}", f"{wall:.1f}", f"{mb(r) / cpu:.2f}",
                f"{mb(r) / wall:.2f}", per_input(r, "rchar"), per_input(r, "read_bytes"), r["peak_rss_mb"], r["data_files"],
                f"{int(r['output_bytes']) / 1e6:.1f}", r["others_cores"]]
        print("| " + " | ".join(line) + " |")
    k, n, b = by["kiln"], by["spark-normalize"], by["spark-bare"]
    ratios["cpu_normalize"].append(float(n["cpu_s"]) / float(k["cpu_s"]))
    ratios["wall_normalize"].append(float(n["wall_s"]) / float(k["wall_s"]))
    ratios["cpu_bare"].append(float(b["cpu_s"]) / float(k["cpu_s"]))
    ratios["cpu_udf"].append(float(b["cpu_s"]) / float(n["cpu_s"]))
    print()
    print(f"round {rnd}: Kiln / Spark normalize per CPU-s {ratios['cpu_normalize'][-1]:.2f}, per wall s {ratios['wall_normalize'][-1]:.2f}; "
          f"Kiln / Spark bare per CPU-s {ratios['cpu_bare'][-1]:.2f}")
print()
print(f"Summary, medians of {len(rounds)} round(s):")
print()
head = ["side", "MB/CPU-s", "MB/s", "CPU s", "wall s", "rchar / input", "read_bytes / input", "peak RSS MB"]
print("| " + " | ".join(head) + " |")
print("|" + "|".join("---" for _ in head) + "|")
def med(values):
    return statistics.median(values)
for side in ["kiln", "spark-normalize", "spark-bare"]:
    rs = [by[side] for by in rounds.values()]
    def io(key):
        v = [int(r[key]) / int(r["input_bytes"]) for r in rs if int(r[key]) >= 0]
        return f"{med(v):.3f}" if v else "n/a"
    line = [names[side], f"{med(mb(r) / float(r['cpu_s']) for r in rs):.2f}", f"{med(mb(r) / float(r['wall_s']) for r in rs):.2f}",
            f"{med(float(r['cpu_s']) for r in rs):.1f}", f"{med(float(r['wall_s']) for r in rs):.1f}", io("rchar"), io("read_bytes"),
            f"{med(float(r['peak_rss_mb']) for r in rs):.0f}"]
    print("| " + " | ".join(line) + " |")
print()
print(f"Kiln / Spark normalize per CPU-s: {med(ratios['cpu_normalize']):.2f}  (median of the rounds' ratios; above 1: Kiln needs less CPU)")
print(f"Kiln / Spark normalize per wall s: {med(ratios['wall_normalize']):.2f}")
print(f"Kiln / Spark bare per CPU-s:      {med(ratios['cpu_bare']):.2f}")
print(f"(Spark normalize / Spark bare per CPU-s: {med(ratios['cpu_udf']):.2f}, what the UDF costs Spark)")
print()
print("Kiln: a fresh service, one job (jsonl, steps [normalize], check engine off); CPU s, rchar and read_bytes = the service process's")
print(f"from submit to the job's end as seen by polling (every {os.environ.get('KILN_BENCH_POLL_SECONDS', '1')} s), wall s to the job's recorded end; its table has id, text and five lineage columns, and the")
print("job hashes the input before and while parsing it, folds every row into the snapshot digest and commits through write-audit-publish.")
print("Spark: local mode, spark.read().schema(\"id STRING, text STRING\").json(file) to the return of writeTo(...).append(); CPU s, wall s,")
print("rchar and read_bytes of only that (start-up, table creation and the row count after are left out). Spark normalize runs Kiln's")
print("NormalizeStep in a non-deterministic Java UDF (a dropped record is filtered out); Spark bare writes the records as read.")
print(f"Spark's table has only (id, text), NOT NULL, with Kiln's text-table properties: {properties}")
print("rchar / input, read_bytes / input = bytes the process read (any read call / from storage) per input byte; the corpus is read")
print("once before the rounds, so read_bytes is about 0 while the page cache holds it. Kiln's rchar includes the fresh service's class")
print("loading (about 0.5 GB of jar reads in its first job), Spark's that of the measured part. Peak RSS = VmHWM of the whole process.")
print("order = which went first, second, third in the round; others' cores = CPUs kept busy by other processes during the run.")
print(f"Raw results: {results}")
EOF
