#!/usr/bin/env bash
# Images per CPU-second: Kiln's image-normalize (decode + header check + EXIF + orientation + bit-exact resize + sRGB +
# metadata-free PNG encode + pHash/dHash) next to ImageIO's bare decode + Java2D resize on the same files, one thread,
# one JVM, interleaved rounds (the best round counts; round 0 warms the JIT). Then a near-duplicate lookup against a
# history of 1 M hashes, and the process's peak RSS.
#
# Inputs (installed with apt when missing): Debian openclipart-png (a sample of its PNGs), forensics-samples-files (the
# phone photos with EXIF and GPS, up to 4000x3000) and python3-skimage's test images.
#
#   KILN_BENCH_DIR           work dir (default /tmp/kiln-bench)
#   KILN_IMAGE_BENCH_COUNT   PNGs sampled from openclipart (default 400)
#   KILN_IMAGE_BENCH_ROUNDS  measured rounds (default 3)
#   KILN_IMAGE_BENCH_SIZE    the fit size (default 256)
#   KILN_IMAGE_BENCH_HISTORY hashes in the dedup history (default 1000000)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${KILN_BENCH_DIR:-/tmp/kiln-bench}"
count="${KILN_IMAGE_BENCH_COUNT:-400}"
rounds="${KILN_IMAGE_BENCH_ROUNDS:-3}"
size="${KILN_IMAGE_BENCH_SIZE:-256}"
history="${KILN_IMAGE_BENCH_HISTORY:-1000000}"

source "$root/bench/lib.sh"
mkdir -p "$work"

for package in openclipart-png forensics-samples-files python3-skimage; do
    dpkg -s "$package" >/dev/null 2>&1 || { say "installing $package"; apt-get install -y "$package" >/dev/null || fail "could not install $package"; }
done
classes="$root/target/classes"
if [[ ! -f "$classes/io/kiln/transform/image/ImageNormalizeStep.class" ]] || [[ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$classes/io/kiln/transform/image/ImageNormalizeStep.class" -print -quit 2>/dev/null)" ]]; then
    say "compiling Kiln (./mvnw -q -B compile)"
    (cd "$root" && ./mvnw -q -B compile) || fail "the build failed"
fi
classpath_file="$work/image-classpath.txt"
if [[ ! -s "$classpath_file" ]] || [[ "$root/pom.xml" -nt "$classpath_file" ]]; then
    (cd "$root" && ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile="$classpath_file") || fail "could not resolve the classpath"
fi

list="$work/image-files.txt"
{
    find /usr/share/openclipart/png -name '*.png' | sort | awk -v n="$count" 'NR % 7 == 0 && c < n { print; c++ }'
    find /usr/share/forensics-samples/original-files -iname '*.jpg' | sort
    find /usr/lib/python3/dist-packages/skimage/data -maxdepth 1 \( -name '*.png' -o -name '*.jpg' -o -name '*.gif' -o -name '*.tif' \) | sort
} > "$list"
say "$(wc -l < "$list") files, $(xargs du -cb < "$list" | tail -1 | cut -f1) bytes"

out="$work/image-throughput.log"
/usr/bin/time -v java -Xmx2g -cp "$classes:$(cat "$classpath_file")" "$root/bench/ImageThroughput.java" "$list" "$rounds" "$size" "$history" 2> "$work/image-time.log" | tee "$out"
rss_kb="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/image-time.log")"
echo "peak RSS: $((rss_kb / 1024)) MB (the whole JVM, -Xmx2g)"
echo "commit $(cd "$root" && git rev-parse --short HEAD); $(nproc) cores; java $(java -version 2>&1 | head -1)"
