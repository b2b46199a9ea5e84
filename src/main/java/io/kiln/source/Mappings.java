package io.kiln.source;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.MappedByteBuffer;

/**
 * Unmaps a file mapping when it is no longer used, instead of when the garbage collector finds it:
 * the pages of a mapped file count in the process's resident memory while mapped, and a job that
 * hashes a large file window by window must not look as if it held the file. Uses
 * {@code sun.misc.Unsafe#invokeCleaner} (module {@code jdk.unsupported}, as Lucene and Netty do);
 * where that is not available, the mapping is left to the collector.
 */
final class Mappings {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method invokeCleaner = null;
        try {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field field = type.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            unsafe = field.get(null);
            invokeCleaner = type.getMethod("invokeCleaner", java.nio.ByteBuffer.class);
        }
        catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            invokeCleaner = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = invokeCleaner;
    }

    private Mappings() {}

    /** Unmaps {@code mapping}; it must not be used afterwards. */
    static void unmap(MappedByteBuffer mapping) {
        if (INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, mapping);
        }
        catch (ReflectiveOperationException | RuntimeException e) {
            // left to the collector
        }
    }
}
