#!/usr/bin/env bash
# Installs vega-datasets' 3 M-row flights Parquet file (npm package vega-datasets, BSD-3-Clause) for ParquetFlightsIT,
# into the folder given (a cache outside target/, so clean builds do not fetch it again). Never committed.
# Without npm the file is missing: the test then fails when CI=true and is skipped, saying why, elsewhere.
set -euo pipefail
directory="$1"
version=3.2.1
sha256=dbeb920c90f59b6ccaff823dcc3d08f25a97fa1ce128d93f40be4e931f5900b0
file="$directory/flights-3m.parquet"
if [ -f "$file" ] && echo "$sha256  $file" | sha256sum --check --status; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "vega-flights: npm is not installed, so $file cannot be fetched; ParquetFlightsIT needs it"
  exit 0
fi
mkdir -p "$directory"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "vega-datasets@$version" --silent >/dev/null)
tar -xzf "$work/vega-datasets-$version.tgz" -C "$work" package/data/flights-3m.parquet
echo "$sha256  $work/package/data/flights-3m.parquet" | sha256sum --check --status || { echo "vega-flights: the packaged file has an unexpected sha256"; exit 1; }
mv "$work/package/data/flights-3m.parquet" "$file"
echo "vega-flights: installed $file"
