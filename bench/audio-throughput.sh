#!/usr/bin/env bash
# Seconds of audio per CPU-second, one thread, one JVM, interleaved rounds (the best round counts; round 0 warms the
# JIT), per codec and per stage: the decoding library's bare loop (the limit), Kiln's AudioDecoder, + mono and
# resampling to 16 kHz, + loudness, the whole audio-normalize@1 step, audio-features@1 (log_mel) on its output. Then
# the peak RSS of audio-normalize with onTooLong split on long recordings (FLAC, 44.1 kHz stereo), each in a JVM with
# the least heap that works, next to a JVM with the same heap that only reads the same file into a row.
#
# Inputs (installed with apt when missing): asterisk-core-sounds-en-wav (8 kHz speech), sound-theme-freedesktop
# (Ogg Vorbis), hydrogen-drumkits (FLAC, 44.1 and 48 kHz), and MP3s made with lame from some of the asterisk WAVs;
# the long recordings are the asterisk prompts resampled to 44.1 kHz and looped, encoded with the flac CLI.
#
#   KILN_BENCH_DIR                work dir (default /tmp/kiln-bench)
#   KILN_AUDIO_BENCH_WAVS         asterisk WAVs sampled (default 120)
#   KILN_AUDIO_BENCH_FLACS        hydrogen FLACs sampled (default 160)
#   KILN_AUDIO_BENCH_MP3S         of the sampled WAVs, how many are made into MP3s (default 60)
#   KILN_AUDIO_BENCH_ROUNDS       measured rounds (default 3)
#   KILN_AUDIO_BENCH_LONG_MINUTES lengths of the long recordings, in minutes (default "10 60"; "" skips them)
#   KILN_AUDIO_BENCH_LONG_XMX     heap of the long runs (default: the least that works, tried in steps of 32 MiB up from
#                                 the file size plus 32 MiB)
#   KILN_AUDIO_BENCH_PIECE        maxSeconds of the pieces (default 30)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${KILN_BENCH_DIR:-/tmp/kiln-bench}"
wavs="${KILN_AUDIO_BENCH_WAVS:-120}"
flacs="${KILN_AUDIO_BENCH_FLACS:-160}"
mp3s="${KILN_AUDIO_BENCH_MP3S:-60}"
rounds="${KILN_AUDIO_BENCH_ROUNDS:-3}"
long_minutes="${KILN_AUDIO_BENCH_LONG_MINUTES-10 60}"
long_xmx="${KILN_AUDIO_BENCH_LONG_XMX:-}"
piece="${KILN_AUDIO_BENCH_PIECE:-30}"

source "$root/bench/lib.sh"
mkdir -p "$work/audio"

for package in asterisk-core-sounds-en-wav sound-theme-freedesktop hydrogen-drumkits lame flac; do
    dpkg -s "$package" >/dev/null 2>&1 || { say "installing $package"; apt-get install -y "$package" >/dev/null || fail "could not install $package"; }
done
classes="$root/target/classes"
if [[ ! -f "$classes/io/kiln/transform/audio/AudioNormalizeStep.class" ]] || [[ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$classes/io/kiln/transform/audio/AudioNormalizeStep.class" -print -quit 2>/dev/null)" ]]; then
    say "compiling Kiln (./mvnw -q -B compile)"
    (cd "$root" && ./mvnw -q -B compile) || fail "the build failed"
fi
classpath_file="$work/audio-classpath.txt"
if [[ ! -s "$classpath_file" ]] || [[ "$root/pom.xml" -nt "$classpath_file" ]]; then
    (cd "$root" && ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile="$classpath_file") || fail "could not resolve the classpath"
fi
export CLASSPATH="$classes:$(cat "$classpath_file")" # not -cp: keeps the command lines in the logs short

# every n-th file, so that the sample spreads over the whole set
sample() { # count < paths
    awk -v n="$1" '{ line[NR] = $0 } END { step = NR / n; if (step < 1) step = 1; for (i = 1; i <= NR && c < n; i += step) { print line[int(i)]; c++ } }'
}

list="$work/audio-files.tsv"
wav_sample="$work/audio/wavs.txt"
find /usr/share/asterisk/sounds/en/ -maxdepth 1 -name '*.wav' | sort | sample "$wavs" > "$wav_sample"
: > "$list"
while read -r path; do printf 'wav\t%s\n' "$path"; done < "$wav_sample" >> "$list"
find /usr/share/hydrogen/data/drumkits/ -name '*.flac' | sort | sample "$flacs" | while read -r path; do printf 'flac\t%s\n' "$path"; done >> "$list"
find /usr/share/sounds/freedesktop/stereo/ -name '*.oga' -type f | sort | while read -r path; do printf 'vorbis\t%s\n' "$path"; done >> "$list"
sample "$mp3s" < "$wav_sample" | while read -r path; do
    mp3="$work/audio/$(basename "$path" .wav).mp3"
    [[ -s "$mp3" ]] || lame --quiet "$path" "$mp3"
    printf 'mp3\t%s\n' "$mp3"
done >> "$list"
say "$(wc -l < "$list") files, $(cut -f2 "$list" | xargs -d '\n' du -cb | tail -1 | cut -f1) bytes; lame $(lame --version | head -1 | awk '{print $4}') defaults for the MP3s"

quiet_wait="${KILN_BENCH_QUIET_WAIT:-60}"
wait_for_quiet rates
busy_before="$(machine_busy_ticks)"
started="$SECONDS"
out="$work/audio-throughput.log"
/usr/bin/time -v java -Xmx1g "$root/bench/AudioThroughput.java" rates "$list" "$rounds" 2> "$work/audio-time.log" | tee "$out" \
    || { tail -n 30 "$work/audio-time.log" >&2; fail "the rates run failed"; }
rss_kb="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/audio-time.log")"
cpu_s="$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$work/audio-time.log")"
elapsed=$((SECONDS - started))
others="$(awk -v a="$busy_before" -v b="$(machine_busy_ticks)" -v t="$ticks_per_second" -v s="$elapsed" -v own="$cpu_s" 'BEGIN { if (s > 0) printf "%.2f", ((b - a) / t - own) / s }')"
echo "peak RSS of the rates JVM: $((rss_kb / 1024)) MB (-Xmx1g); it used $cpu_s CPU s in ${elapsed} s; other processes kept $others cores busy meanwhile"

if [[ -n "$long_minutes" ]]; then
    # compiled once, not run as a source file: javac inside the measured JVM would add its own 100 MB to the peak RSS
    long_classes="$work/audio-classes"
    if [[ ! -f "$long_classes/AudioThroughput.class" ]] || [[ "$root/bench/AudioThroughput.java" -nt "$long_classes/AudioThroughput.class" ]]; then
        mkdir -p "$long_classes"
        javac -nowarn -d "$long_classes" "$root/bench/AudioThroughput.java" || fail "could not compile bench/AudioThroughput.java"
    fi
    field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<< " $1"; }
    echo
    echo "| recording (44.1 kHz stereo) | FLAC file MiB | decoded, as float (as 16-bit PCM) MiB | pieces | stored MiB | least heap that works | peak RSS MiB | peak RSS MiB, a JVM that only reads the file into a row (same heap) | CPU s |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for minutes in $long_minutes; do
        flac_file="$work/audio/long-${minutes}min.flac"
        if [[ ! -s "$flac_file" ]]; then
            say "making a ${minutes}-minute recording (44.1 kHz stereo FLAC)"
            java -Xmx512m -cp "$long_classes:$CLASSPATH" AudioThroughput generate "$wav_sample" "$minutes" \
                | flac --silent --force-raw-format --endian=little --sign=signed --channels=2 --bps=16 --sample-rate=44100 -o "$flac_file" - \
                || fail "could not make $flac_file"
        fi
        size="$(stat -c %s "$flac_file")"
        ((size < 256 * 1024 * 1024)) || say "warning: $flac_file has $size bytes, above the 256 MiB per-file limit of format: audio"
        if [[ -n "$long_xmx" ]]; then
            heaps="$long_xmx"
        else # from the file (the row's bytes) plus 32 MiB up, in steps of 32 MiB
            lowest=$(((size / 1048576 + 32 + 31) / 32 * 32))
            heaps="$(seq "$lowest" 32 $((lowest + 8 * 32)) | sed 's/$/m/')"
        fi
        result=""
        failed="none tried"
        wait_for_quiet "long ${minutes} min"
        for heap in $heaps; do
            say "audio-normalize, split into ${piece} s pieces, on $flac_file with -Xmx$heap"
            if result="$(java "-Xmx$heap" -cp "$long_classes:$CLASSPATH" AudioThroughput long "$flac_file" "$piece" 2>> "$work/audio-long-errors.log" | grep '^RESULT')"; then
                break
            fi
            result=""
            failed="$heap"
        done
        [[ -n "$result" ]] || fail "audio-normalize on $flac_file failed up to -Xmx$failed (see $work/audio-long-errors.log; set KILN_AUDIO_BENCH_LONG_XMX)"
        floor="$(java "-Xmx$heap" -cp "$long_classes:$CLASSPATH" AudioThroughput floor "$flac_file" | grep '^RESULT')"
        echo "$minutes min, -Xmx$heap (failed: $failed): $result; floor: $floor" >> "$work/audio-long.log"
        awk -v m="$minutes" -v file="$(field "$result" file_bytes)" -v float="$(field "$result" decoded_float_bytes)" -v pcm="$(field "$result" decoded_pcm16_bytes)" \
            -v pieces="$(field "$result" pieces)" -v stored="$(field "$result" stored_bytes)" -v heap="$heap" -v failed="$failed" \
            -v rss="$(field "$result" vmhwm_kb)" -v base="$(field "$floor" vmhwm_kb)" -v cpu="$(field "$result" cpu_s)" 'BEGIN {
                M = 1048576
                below = failed == "none tried" ? "the lowest tried" : "-Xmx" failed ": out of memory"
                printf "| %d min | %.1f | %.0f (%.0f) | %d | %.1f | -Xmx%s (%s) | **%.0f** | %.0f | %.1f |\n",
                    m, file / M, float / M, pcm / M, pieces, stored / M, heap, below, rss / 1024, base / 1024, cpu }'
    done
fi
echo
echo "commit $(commit_label "$root"); $(nproc) cores; java $(java -version 2>&1 | head -1)"
