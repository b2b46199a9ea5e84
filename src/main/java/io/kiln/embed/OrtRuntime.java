package io.kiln.embed;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

import org.jboss.logging.Logger;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;

/**
 * The process-wide ONNX Runtime environment and the execution provider that every embedding
 * session uses, chosen once, on first use:
 * <ul>
 *   <li>{@code kiln.embed.provider} (system property, or {@code KILN_EMBED_PROVIDER}) {@code cpu}
 *       forces the CPU; {@code auto} (the default) and {@code cuda} try CUDA;</li>
 *   <li>CUDA is tried only when the ONNX Runtime on the classpath has it (the {@code -Pgpu} build,
 *       {@code onnxruntime_gpu}) and, under {@code auto}, an NVIDIA device is visible: the GPU
 *       build unpacks its large CUDA natives on the first {@code addCUDA}, so a host without a GPU
 *       does not pay for that;</li>
 *   <li>when CUDA is tried and fails (no CUDA 12 runtime or cuDNN 9, no device), Kiln runs on the
 *       CPU and says why in one log line.</li>
 * </ul>
 * Thread-safe.
 */
public final class OrtRuntime {
    private static final Logger LOG = Logger.getLogger(OrtRuntime.class);
    public static final String PROVIDER_PROPERTY = "kiln.embed.provider";

    private static volatile OrtRuntime instance;

    private final OrtEnvironment environment;
    private final Choice choice;

    private OrtRuntime(OrtEnvironment environment, Choice choice) {
        this.environment = environment;
        this.choice = choice;
    }

    /** The runtime, probing the provider on the first call. */
    public static OrtRuntime get() {
        OrtRuntime runtime = instance;
        if (runtime == null) {
            synchronized (OrtRuntime.class) {
                runtime = instance;
                if (runtime == null) {
                    OrtEnvironment environment = OrtEnvironment.getEnvironment();
                    String requested = System.getProperty(PROVIDER_PROPERTY, System.getenv().getOrDefault("KILN_EMBED_PROVIDER", "auto"));
                    Choice choice = choose(requested, OrtEnvironment.getAvailableProviders(), nvidiaDeviceVisible(), OrtRuntime::tryCuda);
                    LOG.info(choice.reason());
                    runtime = new OrtRuntime(environment, choice);
                    instance = runtime;
                }
            }
        }
        return runtime;
    }

    public OrtEnvironment environment() {
        return environment;
    }

    /** The provider that sessions are created for: {@code CPU} or {@code CUDA}. */
    public ExecutionProvider provider() {
        return choice.provider();
    }

    /** Why that provider: the line that was logged. */
    public String providerReason() {
        return choice.reason();
    }

    /**
     * Options for a new session on {@code provider}: every graph optimization, {@code intraOpThreads}
     * inference threads (0: ONNX Runtime's default) that sleep rather than spin when idle. The caller
     * closes them once the session is created.
     */
    public OrtSession.SessionOptions sessionOptions(ExecutionProvider provider, int intraOpThreads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            // idle inference threads sleep instead of spinning: the CPU they would burn belongs to the other stages of the job
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            if (provider == ExecutionProvider.CUDA) {
                options.addCUDA(0);
            }
            return options;
        }
        catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /** The provider chosen, and the log line that says why. */
    record Choice(ExecutionProvider provider, String reason) {
        Choice {
            requireNonNull(provider, "provider is null");
            requireNonNull(reason, "reason is null");
        }
    }

    interface CudaProbe {
        void tryCuda() throws Exception;
    }

    static Choice choose(String requested, Set<OrtProvider> available, boolean deviceVisible, CudaProbe probe) {
        String mode = requested.trim().toLowerCase(Locale.ROOT);
        if (!Set.of("auto", "cpu", "cuda").contains(mode)) {
            return new Choice(ExecutionProvider.CPU, "Embedding on CPU: " + PROVIDER_PROPERTY + "=" + requested + " is not one of auto, cpu, cuda");
        }
        if (mode.equals("cpu")) {
            return new Choice(ExecutionProvider.CPU, "Embedding on CPU: " + PROVIDER_PROPERTY + "=cpu");
        }
        if (!available.contains(OrtProvider.CUDA)) {
            return new Choice(ExecutionProvider.CPU, "Embedding on CPU: this build of ONNX Runtime has no CUDA provider (build with -Pgpu for onnxruntime_gpu)");
        }
        if (mode.equals("auto") && !deviceVisible) {
            return new Choice(ExecutionProvider.CPU, "Embedding on CPU: the CUDA provider is present but no NVIDIA device is visible (/dev/nvidia0, /proc/driver/nvidia/gpus)");
        }
        try {
            probe.tryCuda();
            return new Choice(ExecutionProvider.CUDA, "Embedding on CUDA device 0");
        }
        catch (Exception | LinkageError e) {
            return new Choice(ExecutionProvider.CPU, "Embedding on CPU: the CUDA provider did not load (needs the CUDA 12 runtime and cuDNN 9): " + e.getMessage());
        }
    }

    private static void tryCuda() throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.addCUDA(0);
        }
    }

    private static boolean nvidiaDeviceVisible() {
        if (Files.exists(Path.of("/dev/nvidia0"))) {
            return true;
        }
        Path gpus = Path.of("/proc/driver/nvidia/gpus");
        if (!Files.isDirectory(gpus)) {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(gpus)) {
            return entries.iterator().hasNext();
        }
        catch (IOException e) {
            return false;
        }
    }
}
