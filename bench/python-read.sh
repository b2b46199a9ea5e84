#!/usr/bin/env bash
# bench/python-read.sh: Python reading a pinned snapshot through the client, against pyarrow reading the same rows'
# Parquet export alone (the limit).
#
#   1. generates KILN_BENCH_ROWS rows (default 1,000,000; bench/license_rows.py, about 700 B a row) once, in
#      $KILN_BENCH_DIR/input-<rows>/ (the same corpus as bench/export-throughput.sh),
#   2. starts a fresh service (check engine off), ingests them in one job (no steps), pins the snapshot, and exports
#      columns id,text of the pin as Parquet and as Arrow IPC files (the manifests' rows are checked),
#   3. runs bench/python_read.py: (a) Client.rows() over the pin (JSON lines, SHA-256 checked), (a') Client.batches()
#      (Arrow stream), (b) read_export() of the Parquet export (every file's SHA-256) then pyarrow, (d) the same for
#      the Arrow export, and (c) pyarrow.parquet alone over the Parquet files; interleaved rounds, medians, ratios to (c).
#
# Environment: KILN_BENCH_DIR (default /tmp/kiln-export-bench-data), KILN_BENCH_ROWS, KILN_BENCH_SEED (42),
# KILN_BENCH_XMX (1g), KILN_BENCH_ROUNDS (3), KILN_BENCH_PYTHON (a python with pyarrow; default
# /tmp/pyenv-bench/bin/python, made with: /usr/bin/python3 -m venv --system-site-packages /tmp/pyenv-bench &&
# /tmp/pyenv-bench/bin/pip install pyarrow).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/target/quarkus-app/quarkus-run.jar"
work="${KILN_BENCH_DIR:-/tmp/kiln-export-bench-data}"
rows="${KILN_BENCH_ROWS:-1000000}"
seed="${KILN_BENCH_SEED:-42}"
xmx="${KILN_BENCH_XMX:-1g}"
rounds="${KILN_BENCH_ROUNDS:-3}"
python="${KILN_BENCH_PYTHON:-/tmp/pyenv-bench/bin/python}"
source "$root/bench/lib.sh"

"$python" -c 'import pyarrow' 2>/dev/null || fail "$python has no pyarrow (see the header of this script)"
stop_service_on_exit
build_if_missing "$root" "$jar"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
input_dir="$work/input-$rows"
input="$input_dir/rows.jsonl"
if [[ ! -f "$input.done" ]]; then
    say "generating $rows rows into $input (seed $seed)"
    mkdir -p "$input_dir"
    python3 "$root/bench/license_rows.py" "$input" "$rows" "$seed"
    touch "$input.done"
fi

data="$work/python-read-$rows"
rm -rf "$data"
mkdir -p "$data"
start_service "" "$data" "$input_dir" "$xmx" "$jar" KILN_CHECKS_ENGINE_MODE=off
url="$service_url"
table="bench.python"
post() { # path body -> the answer's file; fails unless 2xx
    local answer="$data/answer-$RANDOM.json" status
    status="$(curl -sS -o "$answer" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary "$2" "$url$1")"
    [[ "$status" == 2* ]] || { cat "$answer" >&2; fail "POST $1 answered $status"; }
    echo "$answer"
}
follow() { # path state-expression final-state -> the last answer's file
    local answer="$data/follow-$RANDOM.json" state
    while true; do
        curl -sS --fail -o "$answer" "$url$1" || fail "GET $1 failed"
        state="$(json "$answer" 'j["state"]')"
        [[ "$state" == "$2" ]] && { echo "$answer"; return; }
        [[ "$state" == FAILED || "$state" == REJECTED || "$state" == CANCELLED ]] && { cat "$answer" >&2; fail "$1 ended $state"; }
        sleep 0.5
    done
}
job="$(post /v1/jobs "{\"table\": \"$table\", \"source\": {\"uri\": \"file://$input\", \"format\": \"jsonl\"}}")"
say "ingesting $rows rows: job $(json "$job" 'j["id"]')"
job="$(follow "/v1/jobs/$(json "$job" 'j["id"]')" PUBLISHED)"
snapshot="$(json "$job" 'j["snapshotId"]')"
post "/v1/tables/$table/pins" "{\"name\": \"bench\", \"snapshotId\": \"$snapshot\", \"reason\": \"bench/python-read.sh\", \"owner\": \"bench\"}" >/dev/null
for format in parquet arrow; do
    export="$(post "/v1/tables/$table/exports" "{\"pin\": \"bench\", \"columns\": [\"id\", \"text\"], \"format\": \"$format\", \"directory\": \"$data/exports/$format\"}")"
    export="$(follow "/v1/exports/$(json "$export" 'j["id"]')" SUCCEEDED)"
    [[ "$(json "$export" 'j["manifest"]["rows"]')" == "$rows" ]] || fail "the $format export holds $(json "$export" 'j["manifest"]["rows"]') rows, not $rows"
    say "exported $format: $(json "$export" 'len(j["manifest"]["files"])') files"
done

say "commit $(commit_label "$root"); $(nproc) cores; $("$python" -c 'import pyarrow, sys; print("pyarrow", pyarrow.__version__, "python", sys.version.split()[0])')"
"$python" "$root/bench/python_read.py" --url "$url" --table "$table" --pin bench --columns id,text --rounds "$rounds" \
    --export "$data/exports/parquet" --arrow-export "$data/exports/arrow"
