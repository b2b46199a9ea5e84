#!/usr/bin/env bash
# bench/extract-throughput.sh: MB/s of the `document` source (Apache Tika inside Kiln) on real HTML
# and PDF, on one thread, next to Tika alone on the same files in the same run (bench/ExtractThroughput.java).
#
# Inputs (Debian packages, see /work/shared/DATA.md): `debian-handbook` (its en-US HTML pages) and
# `texlive-latex-base-doc` (the PDF manuals of LaTeX's base package). Install them with
#   apt-get install -y --no-install-recommends debian-handbook texlive-latex-base-doc
#
# Environment:
#   KILN_BENCH_REPEAT   measured rounds after two warm-up rounds (default 3; the median is reported)
#   KILN_BENCH_HTML     HTML directory (default /usr/share/doc/debian-handbook/html/en-US)
#   KILN_BENCH_PDF      PDF directory (default /usr/share/doc/texlive-doc/latex/base)
#   KILN_BENCH_XMX      heap (default 1g)
#   KILN_BENCH_KINDS    which inputs (default "html pdf")
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repeat="${KILN_BENCH_REPEAT:-3}"
html="${KILN_BENCH_HTML:-/usr/share/doc/debian-handbook/html/en-US}"
pdf="${KILN_BENCH_PDF:-/usr/share/doc/texlive-doc/latex/base}"
xmx="${KILN_BENCH_XMX:-1g}"
kinds="${KILN_BENCH_KINDS:-html pdf}"
work="$(mktemp -d /tmp/kiln-extract-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

[[ -d "$html" ]] || { echo "bench: no HTML at $html (apt-get install debian-handbook)" >&2; exit 1; }
[[ -d "$pdf" ]] || { echo "bench: no PDFs at $pdf (apt-get install texlive-latex-base-doc)" >&2; exit 1; }

cd "$root"
if [[ ! -f target/classes/io/kiln/source/DocumentReader.class ]]; then
    ./mvnw -B -q -Dexec.skip compile
fi
if [[ ! -f target/bench-classpath.txt ]]; then
    ./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
fi
cp="target/classes:$(cat target/bench-classpath.txt)"

# only the pages and the PDFs themselves, copied so that both readers see the same files in the page cache
mkdir -p "$work/html" "$work/pdf"
find "$html" -maxdepth 1 -name '*.html' -exec cp {} "$work/html/" \;
find "$pdf" -maxdepth 1 -name '*.pdf' -exec cp {} "$work/pdf/" \;

echo "| input | files | MB | Kiln MB/s | Tika MB/s | Kiln / Tika | Kiln MB per CPU s | Tika MB per CPU s | Kiln / Tika per CPU s |"
echo "|---|---|---|---|---|---|---|---|---|"
for kind in $kinds; do
    java -Xmx"$xmx" -XX:ActiveProcessorCount=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$cp" bench/ExtractThroughput.java \
        "$kind" "$repeat" "$work/$kind" > "$work/$kind.log" 2>"$work/$kind.err" || { cat "$work/$kind.err" >&2; exit 1; }
    grep -v '^|' "$work/$kind.log" >&2
    grep '^|' "$work/$kind.log"
done
