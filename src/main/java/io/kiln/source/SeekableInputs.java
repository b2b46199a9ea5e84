package io.kiln.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Optional;

import org.apache.parquet.io.DelegatingSeekableInputStream;

/**
 * An input file as Iceberg's and Parquet's readers read it, by seeking: every stream is opened by
 * {@link InputFile#open()}, so a pinned file is read from where it was bound and nowhere else.
 */
final class SeekableInputs {
    private SeekableInputs() {}

    /** For Iceberg's readers, which throw no checked exceptions: a failure to open is an {@link UncheckedIOException} ({@link #opening}). */
    static org.apache.iceberg.io.InputFile iceberg(InputFile file) {
        return new org.apache.iceberg.io.InputFile() {
            @Override
            public long getLength() {
                try (SeekableByteChannel channel = file.open()) {
                    return channel.size();
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public org.apache.iceberg.io.SeekableInputStream newStream() {
                try {
                    ChannelStream stream = new ChannelStream(file.open());
                    return new org.apache.iceberg.io.SeekableInputStream() {
                        @Override
                        public long getPos() throws IOException {
                            return stream.channel.position();
                        }

                        @Override
                        public void seek(long position) throws IOException {
                            stream.channel.position(position);
                        }

                        @Override
                        public int read() throws IOException {
                            return stream.read();
                        }

                        @Override
                        public int read(byte[] buffer, int offset, int length) throws IOException {
                            return stream.read(buffer, offset, length);
                        }

                        @Override
                        public void close() throws IOException {
                            stream.close();
                        }
                    };
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public String location() {
                return file.uri();
            }

            @Override
            public boolean exists() {
                return true;
            }
        };
    }

    static org.apache.parquet.io.InputFile parquet(InputFile file) {
        return new org.apache.parquet.io.InputFile() {
            @Override
            public long getLength() throws IOException {
                try (SeekableByteChannel channel = file.open()) {
                    return channel.size();
                }
            }

            @Override
            public org.apache.parquet.io.SeekableInputStream newStream() throws IOException {
                ChannelStream stream = new ChannelStream(file.open());
                return new DelegatingSeekableInputStream(stream) {
                    @Override
                    public long getPos() throws IOException {
                        return stream.channel.position();
                    }

                    @Override
                    public void seek(long position) throws IOException {
                        stream.channel.position(position);
                    }
                };
            }
        };
    }

    /** An input that changed since it was pinned, among the causes of a reader's runtime failure. */
    static Optional<InputChangedException> opening(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InputChangedException changed) {
                return Optional.of(changed);
            }
        }
        return Optional.empty();
    }

    private static final class ChannelStream extends InputStream {
        private final SeekableByteChannel channel;

        ChannelStream(SeekableByteChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            ByteBuffer one = ByteBuffer.allocate(1);
            int n;
            while ((n = channel.read(one)) == 0) {
                // a file channel reads at least one byte, or -1
            }
            return n < 0 ? -1 : one.get(0) & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return length == 0 ? 0 : channel.read(ByteBuffer.wrap(buffer, offset, length));
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
