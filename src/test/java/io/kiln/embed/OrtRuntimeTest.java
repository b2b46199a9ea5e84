package io.kiln.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;

class OrtRuntimeTest {
    private static final Set<OrtProvider> CPU_BUILD = EnumSet.of(OrtProvider.CPU);
    private static final Set<OrtProvider> GPU_BUILD = EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA);

    @Test
    void runsOnCpuWithTheCpuBuild() {
        // this machine has the CPU jar and no GPU: the real probe must say CPU, and models load on it
        assertThat(OrtRuntime.get().provider()).isEqualTo(ExecutionProvider.CPU);
        assertThat(OrtRuntime.get().providerReason()).isEqualTo("Embedding on CPU: this build of ONNX Runtime has no CUDA provider (build with -Pgpu for onnxruntime_gpu)");
        assertThat(EmbeddingModels.named(EmbeddingModels.DEFAULT_MODEL).provider()).isEqualTo(ExecutionProvider.CPU);
    }

    @Test
    void fallsBackToCpuWhenCudaDoesNotLoad() {
        OrtRuntime.Choice choice = OrtRuntime.choose("auto", GPU_BUILD, true, () -> {
            throw new OrtException("libcudnn.so.9: cannot open shared object file");
        });
        assertThat(choice.provider()).isEqualTo(ExecutionProvider.CPU);
        assertThat(choice.reason()).isEqualTo("Embedding on CPU: the CUDA provider did not load (needs the CUDA 12 runtime and cuDNN 9): libcudnn.so.9: cannot open shared object file");
    }

    @Test
    void fallsBackToCpuWhenTheCudaLibraryCannotLink() {
        OrtRuntime.Choice choice = OrtRuntime.choose("cuda", GPU_BUILD, false, () -> {
            throw new UnsatisfiedLinkError("libonnxruntime_providers_cuda.so");
        });
        assertThat(choice.provider()).isEqualTo(ExecutionProvider.CPU);
        assertThat(choice.reason()).contains("libonnxruntime_providers_cuda.so");
    }

    @Test
    void usesCudaWhenItLoads() {
        assertThat(OrtRuntime.choose("auto", GPU_BUILD, true, () -> {}).provider()).isEqualTo(ExecutionProvider.CUDA);
    }

    @Test
    void doesNotTouchCudaWithoutADeviceOrWhenCpuIsAskedFor() {
        AtomicInteger tries = new AtomicInteger();
        OrtRuntime.CudaProbe probe = tries::incrementAndGet;
        assertThat(OrtRuntime.choose("auto", GPU_BUILD, false, probe).reason()).isEqualTo("Embedding on CPU: the CUDA provider is present but no NVIDIA device is visible (/dev/nvidia0, /proc/driver/nvidia/gpus)");
        assertThat(OrtRuntime.choose("cpu", GPU_BUILD, true, probe).reason()).isEqualTo("Embedding on CPU: kiln.embed.provider=cpu");
        assertThat(OrtRuntime.choose("auto", CPU_BUILD, true, probe).provider()).isEqualTo(ExecutionProvider.CPU);
        assertThat(OrtRuntime.choose("gpu", GPU_BUILD, true, probe).reason()).isEqualTo("Embedding on CPU: kiln.embed.provider=gpu is not one of auto, cpu, cuda");
        assertThat(tries).hasValue(0);
    }
}
