#!/usr/bin/env bash
# bench/pii-eval.sh: recall and false positives of `pii-redact@1` on real text, and its throughput on 1 thread.
#
#   1. builds two corpora of real text in $KILN_BENCH_DIR/pii/ (not committed):
#        changelogs/  every distinct /usr/share/doc/*/changelog.Debian.gz, unpacked (natural e-mail addresses)
#        technical/   kernel Documentation (*.rst, *.txt) from /usr/src/linux-source-6.1.tar.xz, up to
#                     KILN_PII_TECH_MB MB (every n-th file, sorted by path), plus every distinct README under
#                     /usr/share/doc (gzip files unpacked)
#   2. compiles the main and test classes if needed, and runs bench/PiiEval.java: plants SYNTHETIC values
#      (seeded) of every kind into both corpora, scans the planted and the unplanted texts, and prints
#      recall per kind, natural e-mail recall (an independent oracle regex) and false positives per 100 KB;
#      then plants SYNTHETIC US phone numbers in mail shapes (extensions, glued words, trunk prefix) and
#      compares PhoneRules.VERSION_1 with VERSION_2 (recall, phone false positives on the unplanted text);
#      then times pii-redact@1 on 1 thread next to normalize@1 (median of 3).
#
# The false positives and misses, with context, go to $KILN_BENCH_DIR/pii/details.txt: judge them by eye.
#
# Environment:
#   KILN_BENCH_DIR      work dir (default /tmp/kiln-bench)
#   KILN_PII_TECH_MB    MB of kernel Documentation to take (default 12)
#   KILN_PII_PLANTS     planted values per kind and corpus, and mail-shaped US phone numbers per corpus (default 1000)
#   KILN_PII_SEED       seed (default 42)
#   KILN_PII_INSTALL    1: apt-get install linux-source-6.1 when the tarball is missing (default 0)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${KILN_BENCH_DIR:-/tmp/kiln-bench}/pii"
tech_mb="${KILN_PII_TECH_MB:-12}"
plants="${KILN_PII_PLANTS:-1000}"
seed="${KILN_PII_SEED:-42}"
kernel_tarball=/usr/src/linux-source-6.1.tar.xz

say() {
    printf 'pii-eval: %s\n' "$*" >&2
}

mkdir -p "$work"
if [[ ! -r "$kernel_tarball" && "${KILN_PII_INSTALL:-0}" == 1 ]]; then
    say "installing linux-source-6.1 for its Documentation"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends linux-source-6.1 >&2
fi

if [[ ! -d "$work/changelogs" ]]; then
    say "unpacking changelogs"
    mkdir -p "$work/changelogs.tmp"
    declare -A seen=()
    for file in /usr/share/doc/*/changelog.Debian.gz; do
        [[ -r "$file" ]] || continue
        sum="$(zcat "$file" | sha1sum | cut -c1-40)"
        [[ -n "${seen[$sum]:-}" ]] && continue
        seen[$sum]=1
        package="$(basename "$(dirname "$file")")"
        zcat "$file" > "$work/changelogs.tmp/$package.txt"
    done
    mv "$work/changelogs.tmp" "$work/changelogs"
fi

if [[ ! -d "$work/technical" ]]; then
    mkdir -p "$work/technical.tmp"
    if [[ -r "$kernel_tarball" ]]; then
        say "extracting kernel Documentation (up to $tech_mb MB)"
        mkdir -p "$work/kernel"
        tar -xJf "$kernel_tarball" -C "$work/kernel" --wildcards '*/Documentation/*.rst' '*/Documentation/*.txt'
        mapfile -t docs < <(find "$work/kernel" -type f \( -name '*.rst' -o -name '*.txt' \) | LC_ALL=C sort)
        total=$(cat "${docs[@]}" | wc -c)
        step=$(( total / (tech_mb * 1000000) ))
        (( step < 1 )) && step=1
        for i in "${!docs[@]}"; do
            (( i % step == 0 )) || continue
            name="kernel-$(echo "${docs[$i]#"$work/kernel/"}" | cut -d/ -f2- | tr '/' '_')"
            cp "${docs[$i]}" "$work/technical.tmp/$name"
        done
        rm -rf "$work/kernel"
    else
        say "no $kernel_tarball (set KILN_PII_INSTALL=1 to install linux-source-6.1): READMEs only"
    fi
    say "collecting READMEs"
    declare -A seen_readme=()
    while IFS= read -r file; do
        if [[ "$file" == *.gz ]]; then content="$(zcat "$file" 2>/dev/null || true)"; else content="$(cat "$file")"; fi
        [[ -z "$content" ]] && continue
        sum="$(printf '%s' "$content" | sha1sum | cut -c1-40)"
        [[ -n "${seen_readme[$sum]:-}" ]] && continue
        seen_readme[$sum]=1
        name="readme-$(echo "${file#/usr/share/doc/}" | tr '/' '_')"
        printf '%s\n' "$content" > "$work/technical.tmp/${name%.gz}"
    done < <(find /usr/share/doc -type f -iname 'README*' ! -iname '*.html' | LC_ALL=C sort)
    mv "$work/technical.tmp" "$work/technical"
fi

cd "$root"
if [[ ! -d target/test-classes/io/kiln/transform/text/pii || ! -d target/classes/io/kiln/transform/text/pii ]]; then
    say "compiling"
    ./mvnw -B -q -Dexec.skip test-compile >&2
fi
if [[ ! -s target/pii-eval.classpath ]]; then
    ./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/pii-eval.classpath >&2
fi

say "evaluating ($plants planted values per kind and corpus, seed $seed)"
java -Xmx2g -cp "target/classes:target/test-classes:$(cat target/pii-eval.classpath)" bench/PiiEval.java \
    "$work/changelogs" "$work/technical" "$plants" "$seed" 2> "$work/details.txt"
say "details (false positives, misses): $work/details.txt"
