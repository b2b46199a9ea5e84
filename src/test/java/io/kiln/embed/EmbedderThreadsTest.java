package io.kiln.embed;

import static io.kiln.embed.EmbedderTest.cosine;
import static io.kiln.embed.EmbedderTest.texts;
import static io.kiln.embed.EmbedderTest.vectors;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/** fp32 vectors do not depend on ONNX Runtime's thread count nor on concurrent callers. */
class EmbedderThreadsTest {
    @Test
    void fp32VectorsAreBitIdenticalWhateverTheThreadCount() throws Exception {
        List<String> texts = texts();
        List<float[]> oneThread = vectors(EmbeddingModels.named(EmbeddingModels.DEFAULT_MODEL, 1), texts, BatchLimits.DEFAULT);
        Embedder fourThreads = EmbeddingModels.named(EmbeddingModels.DEFAULT_MODEL, 4);
        assertThat(vectors(fourThreads, texts, BatchLimits.DEFAULT)).containsExactlyElementsOf(oneThread);
        // the default: single-threaded session, the batches of a call in parallel on one thread per core
        assertThat(vectors(EmbeddingModels.named(EmbeddingModels.DEFAULT_MODEL), texts, new BatchLimits(64, 64))).containsExactlyElementsOf(oneThread);

        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<float[]>>> concurrent = new ArrayList<>();
            for (int caller = 0; caller < 4; caller++) {
                int offset = caller * 6;
                concurrent.add(callers.submit(() -> vectors(fourThreads, texts.subList(offset, offset + 6), new BatchLimits(1 << 20, 8))));
            }
            for (int caller = 0; caller < 4; caller++) {
                assertThat(concurrent.get(caller).get()).containsExactlyElementsOf(oneThread.subList(caller * 6, caller * 6 + 6));
            }
        }
        finally {
            callers.shutdownNow();
        }
    }
}
