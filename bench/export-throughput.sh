#!/usr/bin/env bash
# bench/export-throughput.sh: reads for training, against the limit of a plain Iceberg scan of the same snapshot.
#
#   1. generates a JSONL corpus of KILN_BENCH_ROWS rows (default 1,000,000; text of 30 to 300 words of the licenses
#      in /usr/share/common-licenses, log-uniform, about 700 B a row) once, in $KILN_BENCH_DIR/input-<rows>/,
#   2. starts a fresh service (fresh data dir, free port, java -Xmx$KILN_BENCH_XMX -jar, check engine off) and ingests
#      the corpus in one job (no steps), which publishes one snapshot of 1 M rows (7 columns: id, text, lineage),
#   3. waits (a while) for the machine to be quiet, then measures, all on that snapshot and in this one run:
#      - the limit: bench/PlainScan.java, Iceberg's generic reader (IcebergGenerics) over every row and column of
#        the snapshot, in its own JVM on the service's class path; best of passes 2..3 (pass 1 warms the JIT);
#        then, in the same JVM, Kiln's read path (SnapshotScan into Arrow vectors) without any output,
#      - GET .../snapshots/<id>/rows as an Arrow IPC stream and as JSONL (curl to /dev/null),
#      - POST .../exports as Parquet, JSONL and Arrow IPC files (default shards: 1 M rows or 128 MiB),
#      each KILN_BENCH_REPEAT times (default 2; the best time counts, the first warms the service's JIT), with the
#      service's peak RSS (VmHWM, reset before each measurement) and the CPU it used,
# then prints a markdown table: rows/s, MB/s of output, time / limit time, peak RSS, CPU s.
#
# Environment:
#   KILN_BENCH_DIR          work dir (default /tmp/kiln-export-bench-data): input, data dir, logs, results
#   KILN_BENCH_ROWS         rows in the snapshot (default 1000000)
#   KILN_BENCH_SEED         corpus seed (default 42)
#   KILN_BENCH_XMX          service heap limit (default 1g)
#   KILN_BENCH_REPEAT       runs of each measurement (default 2)
#   KILN_BENCH_QUIET_WAIT   seconds to wait for other processes to use < 0.5 cores (default 300; 0: don't wait)
# Needs Java 17, curl, python3 and Linux /proc (RSS and CPU). Run it from a checkout nobody is building in.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/target/quarkus-app/quarkus-run.jar"
work="${KILN_BENCH_DIR:-/tmp/kiln-export-bench-data}"
rows="${KILN_BENCH_ROWS:-1000000}"
seed="${KILN_BENCH_SEED:-42}"
xmx="${KILN_BENCH_XMX:-1g}"
repeat="${KILN_BENCH_REPEAT:-2}"
quiet_wait="${KILN_BENCH_QUIET_WAIT:-300}"
# shared helpers: say, fail, machine_busy_ticks, wait_for_quiet, stop_service
source "$root/bench/lib.sh"

for tool in java curl python3 awk; do
    command -v "$tool" >/dev/null 2>&1 || fail "needs $tool on the PATH"
done
[[ -r /proc/self/status && -r /proc/stat ]] || fail "needs Linux /proc (RSS and CPU are read from it)"

stop_service_on_exit

# --- build -----------------------------------------------------------------------------------
if [[ ! -f "$jar" ]]; then
    say "building Kiln (./mvnw -q -DskipTests package) in $root"
    (cd "$root" && ./mvnw -q -DskipTests package) || fail "the build failed"
elif [[ -n "$(find "$root/src" "$root/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]]; then
    say "warning: sources are newer than $jar; measuring the jar as it is (rebuild to measure the sources)"
fi
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
classpath="$root/target/quarkus-app/lib/main/*:$root/target/quarkus-app/app/*"

mkdir -p "$work"
work="$(cd "$work" && pwd)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
results="$work/results-$stamp.tsv"
say "work dir $work; jar $jar (commit $commit); $(nproc) cores; java -Xmx$xmx; $rows rows"

# --- corpus ----------------------------------------------------------------------------------
input_dir="$work/input-$rows"
input="$input_dir/rows.jsonl"
if [[ -f "$input" ]] && [[ -f "$input.done" ]]; then
    say "corpus present: $input"
else
    say "generating $rows rows of JSONL into $input (seed $seed)"
    mkdir -p "$input_dir"
    rm -f "$input" "$input.done"
    python3 "$root/bench/license_rows.py" "$input" "$rows" "$seed"
    touch "$input.done"
fi
input_bytes="$(stat -c %s "$input")"
say "corpus: $input_bytes bytes, sha256 $(sha256sum "$input" | cut -c1-16)"

# --- service and snapshot --------------------------------------------------------------------
data="$work/data-$rows"
rm -rf "$data"
mkdir -p "$data"
start_service "" "$data" "$input_dir" "$xmx" "$jar" KILN_CHECKS_ENGINE_MODE=off
url="$service_url"
table="bench.rows"
python3 -c 'import json, sys; print(json.dumps({"table": sys.argv[2], "source": {"uri": "file://" + sys.argv[1], "format": "jsonl"}, "steps": []}))' \
    "$input" "$table" >"$data/job-spec.json"
status="$(curl -sS -o "$data/submitted.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary "@$data/job-spec.json" "$url/v1/jobs")"
[[ "$status" == 202 ]] || { cat "$data/submitted.json" >&2; fail "POST /v1/jobs answered $status"; }
job_id="$(json "$data/submitted.json" 'j["id"]')"
say "ingesting: job $job_id"
while true; do
    curl -sS --max-time 5 -o "$data/job.json" "$url/v1/jobs/$job_id" || { sleep 1; continue; }
    state="$(json "$data/job.json" 'j["state"]')"
    [[ "$state" == PUBLISHED ]] && break
    [[ "$state" == FAILED || "$state" == REJECTED || "$state" == CANCELLED ]] && { cat "$data/job.json" >&2; fail "the ingest job ended $state"; }
    sleep 1
done
snapshot="$(json "$data/job.json" 'j["snapshotId"]')"
written="$(json "$data/job.json" 'j["counts"]["written"]')"
[[ "$written" == "$rows" ]] || fail "the job wrote $written rows, not $rows"
data_bytes="$(find "$data/warehouse/bench/rows/data" -name '*.parquet' -printf '%s\n' | awk '{ s += $1 } END { print s }')"
data_files="$(find "$data/warehouse/bench/rows/data" -name '*.parquet' | wc -l)"
say "snapshot $snapshot: $written rows in $data_files Parquet files, $data_bytes bytes"
printf 'what\trun\trows\tbytes_out\tseconds\tcpu_s\tpeak_rss_mb\tothers_cores\n' >"$results"

wait_for_quiet

# --- the limit -------------------------------------------------------------------------------
say "the limit: a plain Iceberg scan of snapshot $snapshot, then Kiln's read path without output, in one JVM (PlainScan, 3 passes each)"
java -Xmx1g --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$classpath" "$root/bench/PlainScan.java" "$data" "$table" "$snapshot" 3 \
    >"$data/plain-scan.tsv" 2>"$data/plain-scan.log" || { cat "$data/plain-scan.log" >&2; fail "PlainScan failed"; }
cat "$data/plain-scan.tsv" >&2
while IFS=$'\t' read -r reader pass scanned _ seconds cpu; do
    [[ "$scanned" == "$rows" ]] || fail "PlainScan ($reader) read $scanned rows, not $rows"
    printf '%s-scan\t%s\t%s\t0\t%s\t%s\t\t\n' "$reader" "$pass" "$scanned" "$seconds" "$cpu" >>"$results"
done <"$data/plain-scan.tsv"

# --- the readers -----------------------------------------------------------------------------
measure() { # what run command...: runs the command, records time, CPU, peak RSS, others' cores
    local what="$1" run="$2"
    shift 2
    echo 5 >"/proc/$service_pid/clear_refs" 2>/dev/null || say "warning: cannot reset VmHWM; peak RSS includes earlier work"
    local t0 t1 k0 k1 b0 b1 out
    k0="$(process_ticks "$service_pid")"
    b0="$(machine_busy_ticks)"
    t0="$(now)"
    out="$("$@")" || fail "$what failed: $out"
    t1="$(now)"
    k1="$(process_ticks "$service_pid")"
    b1="$(machine_busy_ticks)"
    local peak rows_out bytes_out
    peak="$(proc_kb "$service_pid" VmHWM)"
    read -r rows_out bytes_out <<<"$out"
    python3 -c '
import sys
what, run, rows, out, t0, t1, k0, k1, b0, b1, ticks, peak = sys.argv[1:]
wall = float(t1) - float(t0)
ticks = float(ticks)
cpu = (int(k1) - int(k0)) / ticks
others = max(0.0, ((int(b1) - int(b0)) / ticks - cpu) / wall)
print(f"{what}\t{run}\t{rows}\t{out}\t{wall:.3f}\t{cpu:.2f}\t{int(peak) / 1024:.0f}\t{others:.2f}")' \
        "$what" "$run" "$rows_out" "$bytes_out" "$t0" "$t1" "$k0" "$k1" "$b0" "$b1" "$ticks_per_second" "$peak" >>"$results"
    say "  $(tail -n 1 "$results" | tr '\t' ' ')"
}

rows_endpoint() { # format -> "rows bytes" (JSONL rows are counted; an Arrow stream's are the snapshot's)
    local target="$url/v1/tables/$table/snapshots/$snapshot/rows?format=$1"
    if [[ "$1" == jsonl ]]; then
        curl -sS --fail "$target" | wc -lc | awk '{ print $1, $2 }'
    else
        printf '%s %s\n' "$rows" "$(curl -sS --fail -o /dev/null -w '%{size_download}' "$target")"
    fi
}

export_format() { # format run -> "rows bytes" (the export runs in the background: it is followed until it ends)
    local directory="$data/exports/$1-$2" answer="$data/export-$1-$2.json" status id state
    status="$(curl -sS -o "$answer" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        --data-binary "{\"snapshotId\": \"$snapshot\", \"format\": \"$1\", \"directory\": \"$directory\"}" "$url/v1/tables/$table/exports")" || return 1
    [[ "$status" == 202 ]] || { cat "$answer" >&2; return 1; }
    id="$(json "$answer" 'j["id"]')"
    while true; do
        curl -sS --fail -o "$answer.state" "$url/v1/exports/$id" || return 1
        state="$(json "$answer.state" 'j["state"]')"
        [[ "$state" == SUCCEEDED ]] && break
        [[ "$state" == FAILED ]] && { cat "$answer.state" >&2; return 1; }
        sleep 0.05
    done
    python3 -c 'import json, sys; m = json.load(open(sys.argv[1]))["manifest"]; json.dump(m, open(sys.argv[2], "w")); print(m["rows"], sum(f["bytes"] for f in m["files"]))' \
        "$answer.state" "$answer"
}

for run in $(seq 1 "$repeat"); do
    say "run $run of $repeat"
    measure rows-arrow "$run" rows_endpoint arrow
    measure rows-jsonl "$run" rows_endpoint jsonl
    for format in parquet jsonl arrow; do
        measure "export-$format" "$run" export_format "$format" "$run"
    done
    if ((run > 1)); then
        for format in parquet jsonl arrow; do
            cmp -s <(json "$data/export-$format-1.json" 'j["files"]') <(json "$data/export-$format-$run.json" 'j["files"]') \
                || fail "export $format run $run differs from run 1"
        done
        say "exports of run $run are byte-identical to run 1 (same sha256 per shard)"
    fi
done
rss_after="$(proc_kb "$service_pid" VmRSS)"
stop_service

# --- report ----------------------------------------------------------------------------------
python3 - "$results" "$commit" "$xmx" "$(nproc)" "$rows" "$input_bytes" "$data_bytes" "$data_files" "$rss_after" <<'EOF'
import csv, sys
results, commit, xmx, cores, rows, input_bytes, data_bytes, data_files, rss_after = sys.argv[1:]
records = list(csv.DictReader(open(results), delimiter="\t"))
def best(what):
    runs = [r for r in records if r["what"] == what and not (what.endswith("-scan") and r["run"] == "1")]
    return min(runs, key=lambda r: float(r["seconds"])), runs
limit, _ = best("plain-scan")
limit_s = float(limit["seconds"])
rows = int(rows)
print()
print(f"Kiln reads, {rows:,} rows ({int(input_bytes) / 1e6:.0f} MB of JSONL; the snapshot: {data_files} Parquet files, "
      f"{int(data_bytes) / 1e6:.0f} MB zstd); commit {commit}; java -Xmx{xmx}; {cores} cores")
print()
head = ["reader", "rows/s", "output MB", "output MB/s", "s", "limit s / s", "CPU s", "peak RSS MB", "others' cores"]
print("| " + " | ".join(head) + " |")
print("|" + "|".join("---" for _ in head) + "|")
print(f"| plain Iceberg scan (the limit, own JVM) | {rows / limit_s:,.0f} | - | - | {limit_s:.2f} | 1.00 | {float(limit['cpu_s']):.1f} | - | - |")
kiln, _ = best("kiln-scan")
kiln_s = float(kiln["seconds"])
print(f"| Kiln's read path into Arrow vectors, no output (same JVM as the limit) | {rows / kiln_s:,.0f} | - | - | {kiln_s:.2f} | {limit_s / kiln_s:.2f} | {float(kiln['cpu_s']):.1f} | - | - |")
names = {"rows-arrow": "GET rows, Arrow IPC stream", "rows-jsonl": "GET rows, JSONL", "export-parquet": "export, Parquet",
         "export-jsonl": "export, JSONL", "export-arrow": "export, Arrow IPC files"}
for what, name in names.items():
    r, runs = best(what)
    s = float(r["seconds"])
    out = int(r["bytes_out"]) / 1e6
    peak = max(int(x["peak_rss_mb"]) for x in runs)
    print(f"| {name} | {rows / s:,.0f} | {out:,.0f} | {out / s:,.0f} | {s:.2f} | **{limit_s / s:.2f}** | {float(r['cpu_s']):.1f} | {peak} | {r['others_cores']} |")
print()
print("s: best of the runs (the first warms the JIT); limit: best of PlainScan passes 2..3 in its own JVM (pass 1 warms it);")
print("peak RSS: the service's VmHWM, reset before each measurement (max over the runs); CPU s: the service's CPU time for the best run;")
print(f"the service's RSS after all reads: {int(rss_after) / 1024:.0f} MB. Raw results: {results}")
EOF
