package io.kiln.source;

import java.io.IOException;
import java.util.Optional;

/** Streams the records of one input file. Not thread-safe. */
public interface RecordReader extends AutoCloseable {
    /**
     * The next record, or empty at the end of the file.
     *
     * @throws UnreadableInputException when the rest of the file cannot be decoded; {@link #finish()} still works
     */
    Optional<SourceRecord> next() throws IOException;

    /**
     * The next record, perhaps not parsed yet: its {@link Pending#parse()} may run on another
     * thread, in any order with other records' parses, and gives what {@link #next()} would have
     * given. By default the record {@code next()} gives, parsed here. Readers whose parsing is the
     * costly part (JSON lines) return the record's raw bytes instead, so that a job parses on its
     * transform threads. A reader is read with one of the two methods, not both.
     *
     * @throws UnreadableInputException when the rest of the file cannot be decoded
     */
    default Optional<Pending> nextPending() throws IOException {
        Optional<SourceRecord> next = next();
        return next.isEmpty() ? Optional.empty() : Optional.of(Pending.of(next.get()));
    }

    /** A record read and not parsed yet; parsing is thread-safe. */
    @FunctionalInterface
    interface Pending {
        SourceRecord parse();

        /** About how many bytes the record holds, for batches bounded in bytes ({@code kiln.batch-bytes}); 0 when unknown. */
        default long bytes() {
            return 0;
        }

        /** A record already parsed; its size is its id's and its values' ({@link #bytes(Object)}). */
        static Pending of(SourceRecord record) {
            long bytes = 0;
            if (record instanceof SourceRecord.Parsed parsed) {
                bytes = parsed.row().id().length();
                for (Object value : parsed.row().columns().values()) {
                    bytes += bytes(value);
                }
            }
            return sized(bytes, () -> record);
        }

        /** About how many bytes a value holds, for {@link #bytes()}: a string's length, a binary value's, 8 for any other, 0 for null. */
        static long bytes(Object value) {
            // classes before interfaces: an interface test is a search that a class test is not, on a hot path
            if (value == null) {
                return 0;
            }
            if (value instanceof String text) {
                return text.length();
            }
            if (value instanceof Number || value instanceof Boolean || value instanceof java.time.LocalDate || value instanceof java.time.Instant) {
                return 8;
            }
            if (value instanceof java.nio.ByteBuffer binary) {
                return binary.remaining();
            }
            if (value instanceof CharSequence text) {
                return text.length();
            }
            return value instanceof byte[] binary ? binary.length : 8;
        }

        /** A record of about {@code bytes} bytes, made by {@code parse}. */
        static Pending sized(long bytes, java.util.function.Supplier<SourceRecord> parse) {
            return new Pending() {
                @Override
                public SourceRecord parse() {
                    return parse.get();
                }

                @Override
                public long bytes() {
                    return bytes;
                }
            };
        }
    }

    /** Reads to the end of the file and returns the sha256 of all its bytes. */
    String finish() throws IOException;

    @Override
    void close() throws IOException;

    /** Turns a parsed record into another record (a row with more, or a reject). */
    @FunctionalInterface
    interface ParsedMapper {
        SourceRecord map(SourceRecord.Parsed parsed) throws IOException;
    }

    /** This reader with each parsed record replaced by what {@code mapper} makes of it; malformed records pass as they are. */
    default RecordReader mapParsed(ParsedMapper mapper) {
        RecordReader reader = this;
        return new RecordReader() {
            @Override
            public Optional<SourceRecord> next() throws IOException {
                Optional<SourceRecord> next = reader.next();
                return next.isPresent() && next.get() instanceof SourceRecord.Parsed parsed ? Optional.of(mapper.map(parsed)) : next;
            }

            @Override
            public String finish() throws IOException {
                return reader.finish();
            }

            @Override
            public void close() throws IOException {
                reader.close();
            }
        };
    }
}
