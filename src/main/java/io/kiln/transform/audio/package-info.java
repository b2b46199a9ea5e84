/**
 * Signal processing for the audio steps, in pure Java: {@link io.kiln.transform.audio.SincResampler}
 * converts the sample rate of one channel and {@link io.kiln.transform.audio.LoudnessMeter} measures
 * loudness (ITU-R BS.1770-4, EBU R 128) and peaks for normalization.
 *
 * <p>Determinism is the rule here: filter tables are computed with {@link java.lang.StrictMath}, sums run in
 * double precision in a fixed order, and Java's floating point is strict, so the same input gives
 * bit-identical output on every machine, whatever the size of the chunks it is streamed in. Nothing here
 * is thread-safe: run one instance per stream (the resampler, one per channel). No dependency beyond the
 * JDK, but for {@link io.kiln.transform.audio.SileroVad}, which runs a model with ONNX Runtime (thread-safe,
 * and deterministic on one kind of CPU; see there).
 */
package io.kiln.transform.audio;
