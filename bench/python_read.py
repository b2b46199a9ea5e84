#!/usr/bin/env python3
"""How fast the Python client reads a pinned table, against the floor that pyarrow sets on the same data.

    python3 bench/python_read.py --url http://localhost:8080 --table demo.docs --pin train-2026-11 \
        --export kiln-data/exports/train-2026-11 [--columns id,text] [--rounds 3]

--export is a Parquet export of the same pin (./kiln export demo.docs --pin NAME --format parquet --out DIR).
Needs pyarrow (not in Debian's python3): python3 -m venv --system-site-packages /tmp/pyenv-bench &&
/tmp/pyenv-bench/bin/pip install pyarrow, then run with /tmp/pyenv-bench/bin/python.

Measured, interleaved round by round, median reported:
  (a)  Client.rows() over the pin: the JSON-lines stream, one dict per row, SHA-256 checked
  (a') Client.batches() over the pin: the Arrow IPC stream, record batches (not rows)
  (b)  read_export(): the manifest, every file's SHA-256 and row count, then pyarrow iter_batches over its files
  (d)  with --arrow-export: read_export() of an Arrow export (SHA-256 and rows checked), then pyarrow's IPC
       file reader over its files, the batches memory-mapped
  (c)  the floor: pyarrow.parquet.read_table, and ParquetFile.iter_batches, of the same files alone
MB/s is each reader's own input: the JSON-lines body for (a), the Arrow stream for (a'), the Parquet
files for (b) and (c). CPU is this process's (time.process_time): the service's work for (a) and (a')
is not in it, only in the wall time. Ratios compare rows/s with the faster of the two (c) readers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "clients" / "python"))

from kiln_client import Client, read_export  # noqa: E402


def measure(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    rows = fn()
    return rows, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("KILN_URL", "http://localhost:8080"))
    parser.add_argument("--table", required=True)
    parser.add_argument("--pin", required=True)
    parser.add_argument("--export", required=True, help="a Parquet export of the same pin (manifest.json and its files)")
    parser.add_argument("--arrow-export", help="an Arrow (IPC file) export of the same pin: adds reader (d)")
    parser.add_argument("--columns", help="comma-separated; default: the export's columns")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    try:
        import pyarrow.parquet as pq
    except ImportError:
        print("the bench needs pyarrow: python3 -m venv --system-site-packages /tmp/pyenv-bench &&"
              " /tmp/pyenv-bench/bin/pip install pyarrow", file=sys.stderr)
        return 2

    client = Client(args.url)
    export = read_export(args.export)
    if export.format != "parquet":
        print(f"{args.export} is a {export.format} export; the bench compares with Parquet", file=sys.stderr)
        return 2
    columns = args.columns.split(",") if args.columns else list(export.manifest.get("columns") or [])
    config = {"table": args.table, "pin": args.pin}
    if columns:
        config["columns"] = columns
    resolution = client.resolve(config)
    if export.snapshot_id != resolution.snapshot_id or export.rows != resolution.rows:
        print(f"the export holds snapshot {export.snapshot_id} ({export.rows} rows), the pin reads"
              f" snapshot {resolution.snapshot_id} ({resolution.rows} rows): not the same data", file=sys.stderr)
        return 2

    # input sizes, outside the timings
    def body_bytes(fmt):
        path = resolution.rows_path + ("&format=arrow" if fmt == "arrow" else "")
        with urllib.request.urlopen(client.url + path) as response:
            return sum(len(chunk) for chunk in iter(lambda: response.read(1 << 20), b""))

    sizes = {"jsonl": body_bytes("jsonl"), "arrow": body_bytes("arrow"),
             "parquet": sum(os.path.getsize(p) for p in export.paths)}

    def a_rows():
        n = 0
        for _ in client.rows(resolution):  # the SHA-256 and count are checked at the end
            n += 1
        return n

    def a_batches():
        return sum(b.num_rows for b in client.batches(resolution))

    def b_export():
        checked = read_export(args.export)  # SHA-256 and row count of every file
        return sum(batch.num_rows for path in checked.paths for batch in pq.ParquetFile(path).iter_batches(columns=columns or None))

    def c_read_table():
        return sum(pq.read_table(path, columns=columns or None).num_rows for path in export.paths)

    def c_iter_batches():
        return sum(batch.num_rows for path in export.paths for batch in pq.ParquetFile(path).iter_batches(columns=columns or None))

    readers = [
        ("(a)  rows() JSONL, dicts", a_rows, "jsonl"),
        ("(a') batches() Arrow stream", a_batches, "arrow"),
        ("(b)  read_export + iter_batches", b_export, "parquet"),
        ("(c)  pq.read_table", c_read_table, "parquet"),
        ("(c)  ParquetFile.iter_batches", c_iter_batches, "parquet"),
    ]
    if args.arrow_export:
        import pyarrow as pa
        arrow_export = read_export(args.arrow_export)
        if arrow_export.format != "arrow" or arrow_export.snapshot_id != resolution.snapshot_id or arrow_export.rows != resolution.rows:
            print(f"{args.arrow_export} is not an Arrow export of snapshot {resolution.snapshot_id}", file=sys.stderr)
            return 2
        sizes["arrow-files"] = sum(os.path.getsize(p) for p in arrow_export.paths)

        def d_arrow_export():
            checked = read_export(args.arrow_export)
            rows = 0
            for path in checked.paths:
                with pa.memory_map(path) as source:
                    reader = pa.ipc.open_file(source)
                    rows += sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))
            return rows

        readers.insert(3, ("(d)  read_export + Arrow IPC files", d_arrow_export, "arrow-files"))
    results = {name: [] for name, _, _ in readers}
    for round_ in range(args.rounds):
        for name, fn, _ in readers:
            rows, wall, cpu = measure(fn)
            if rows != resolution.rows:
                print(f"{name} read {rows} rows, not {resolution.rows}", file=sys.stderr)
                return 1
            results[name].append((wall, cpu))
        print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr)

    n = resolution.rows
    print(f"\n{args.table} pin {args.pin}: snapshot {resolution.snapshot_id}, {n:,} rows, columns {columns or 'all'};"
          f" JSONL body {sizes['jsonl'] / 1e6:.1f} MB, Arrow stream {sizes['arrow'] / 1e6:.1f} MB,"
          f" Parquet {sizes['parquet'] / 1e6:.1f} MB in {len(export.paths)} files; median of {args.rounds} rounds\n")
    print(f"{'reader':34} {'wall s':>8} {'cpu s':>8} {'rows/s':>12} {'MB/s':>8}")
    rate = {}
    for name, _, size_key in readers:
        wall = statistics.median(w for w, _ in results[name])
        cpu = statistics.median(c for _, c in results[name])
        rate[name] = n / wall
        print(f"{name:34} {wall:8.3f} {cpu:8.3f} {n / wall:12,.0f} {sizes[size_key] / 1e6 / wall:8.1f}")
    floor = max(rate["(c)  pq.read_table"], rate["(c)  ParquetFile.iter_batches"])
    print(f"\n(a)/(c)  rows/s: {rate['(a)  rows() JSONL, dicts'] / floor:.3f}")
    print(f"(a')/(c) rows/s: {rate[chr(40) + 'a' + chr(39) + ') batches() Arrow stream'] / floor:.3f}")
    print(f"(b)/(c)  rows/s: {rate['(b)  read_export + iter_batches'] / floor:.3f}")
    if args.arrow_export:
        print(f"(d)/(c)  rows/s: {rate['(d)  read_export + Arrow IPC files'] / floor:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
