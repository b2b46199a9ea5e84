#!/usr/bin/env bash
# bench/text-quality.sh: single-thread throughput (MB/s) of clean@1, quality-filter@1 and language@1
# on real text, next to normalize@1 measured in the same run; and Lingua's load time and heap.
#
# Corpus: the .rst and .txt files under Documentation/ of the Debian linux-source-6.1 tarball
# (/usr/src/linux-source-6.1.tar.xz; `apt-get install linux-source-6.1`), one file = one document,
# extracted once into $KILN_BENCH_DIR/quality/kernel-docs and capped at KILN_BENCH_QUALITY_MB.
#
# Environment:
#   KILN_BENCH_DIR             work dir (default /tmp/kiln-bench)
#   KILN_BENCH_QUALITY_MB      corpus size cap in MB (default 8)
#   KILN_BENCH_QUALITY_CORPUS  use this directory of UTF-8 text files instead of the kernel docs
#   KILN_BENCH_REPEATS         timed runs per step, the median is reported (default 3)
#   KILN_BENCH_LOAD_HIGH       1 (default) also measures high-accuracy Lingua for all languages (about 1.5 GB heap, a minute)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${KILN_BENCH_DIR:-/tmp/kiln-bench}/quality"
cap_mb="${KILN_BENCH_QUALITY_MB:-8}"
repeats="${KILN_BENCH_REPEATS:-3}"
load_high="${KILN_BENCH_LOAD_HIGH:-1}"
mkdir -p "$work"

# shared helpers: say, fail, machine_busy_ticks, wait_for_quiet
source "$root/bench/lib.sh"

corpus="${KILN_BENCH_QUALITY_CORPUS:-}"
if [[ -z "$corpus" ]]; then
    corpus="$work/kernel-docs"
    if [[ ! -f "$work/kernel-docs.done" ]]; then
        tarball=/usr/src/linux-source-6.1.tar.xz
        [[ -r "$tarball" ]] || { say "needs $tarball (apt-get install linux-source-6.1) or KILN_BENCH_QUALITY_CORPUS"; exit 1; }
        say "extracting Documentation/*.rst|*.txt from $tarball (once)"
        rm -rf "$corpus" "$work/extract"
        mkdir -p "$work/extract" "$corpus"
        tar -xJf "$tarball" -C "$work/extract" --wildcards '*/Documentation/*.rst' '*/Documentation/*.txt'
        # files in sorted order until the cap; names flattened so the corpus is one folder
        total=0
        cap=$((cap_mb * 1000000))
        while IFS= read -r file; do
            size=$(stat -c %s "$file")
            (( total + size > cap )) && break
            iconv -f UTF-8 -t UTF-8 "$file" >/dev/null 2>&1 || continue
            cp "$file" "$corpus/$(echo "${file#"$work/extract/"}" | tr '/' '_')"
            total=$((total + size))
        done < <(find "$work/extract" -type f | LC_ALL=C sort)
        rm -rf "$work/extract"
        touch "$work/kernel-docs.done"
    fi
fi

classes="$work/classes"
if [[ ! -f "$work/classpath.txt" || "$root/pom.xml" -nt "$work/classpath.txt" ]]; then
    (cd "$root" && ./mvnw -q -o dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt") >&2
fi
if [[ ! -d "$root/target/classes/io/kiln/transform/text" ]]; then
    (cd "$root" && ./mvnw -q -o -Dexec.skip compile) >&2
fi
cp_all="$root/target/classes:$(cat "$work/classpath.txt")"
mkdir -p "$classes"
javac -d "$classes" -cp "$cp_all" "$root/bench/TextQuality.java"

say "java $(java -version 2>&1 | head -1); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx2g -XX:ActiveProcessorCount=1 -cp "$classes:$cp_all" TextQuality throughput "$corpus" "$repeats" 2> >(grep -v SLF4J >&2)

echo
echo "| Lingua, all 75 languages | load s (wall) | process CPU ms (load + JVM start) | heap kept MB |"
echo "|---|---|---|---|"
java -Xmx3g -cp "$classes:$cp_all" TextQuality load low 2> >(grep -v SLF4J >&2)
if [[ "$load_high" == 1 ]]; then
    java -Xmx3g -cp "$classes:$cp_all" TextQuality load high 2> >(grep -v SLF4J >&2)
fi
