package io.kiln.read;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import org.apache.arrow.memory.BufferAllocator;
import org.jboss.logging.Logger;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;

/**
 * Arrow's memory module reads the address of direct buffers through {@code java.nio} internals,
 * so on Java 17+ it needs {@code java.base/java.nio} opened to it, or its first allocation fails.
 * The usual way is the JVM option {@code --add-opens=java.base/java.nio=ALL-UNNAMED}; but the
 * packaged service starts with a plain {@code java -jar target/quarkus-app/quarkus-run.jar}, whose
 * manifest Quarkus writes itself (it opens {@code java.base/java.lang} to the application). With
 * {@code java.lang} open, Kiln opens {@code java.nio} to Arrow's module (only to it) through
 * {@code Module.implAddOpens}, before the first allocation. If neither is possible, reads fail with
 * an error that names the option.
 */
final class ArrowAccess {
    private static final Logger LOG = Logger.getLogger(ArrowAccess.class);
    private static final String OPTION = "--add-opens=java.base/java.nio=ALL-UNNAMED";

    private ArrowAccess() {}

    static synchronized void ensureOpen() {
        Module javaBase = Object.class.getModule();
        Module arrow = BufferAllocator.class.getModule();
        if (javaBase.isOpen("java.nio", arrow)) {
            return;
        }
        if (!javaBase.isOpen("java.lang", ArrowAccess.class.getModule())) {
            throw unavailable(null);
        }
        try {
            Method addOpens = Module.class.getDeclaredMethod("implAddOpens", String.class, Module.class);
            addOpens.setAccessible(true);
            addOpens.invoke(javaBase, "java.nio", arrow);
            LOG.debugf("Opened java.base/java.nio to Arrow (%s)", arrow);
        }
        catch (ReflectiveOperationException | RuntimeException e) {
            throw unavailable(e instanceof InvocationTargetException invocation ? invocation.getCause() : e);
        }
    }

    private static KilnException unavailable(Throwable cause) {
        String message = "Reads need Arrow, which needs the JVM option " + OPTION + ": add it to the java command that starts the service";
        return cause == null ? new KilnException(ErrorCode.INTERNAL_ERROR, message) : new KilnException(ErrorCode.INTERNAL_ERROR, message, cause);
    }
}
