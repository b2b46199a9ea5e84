package io.kiln.embed;

import static io.kiln.embed.EmbedderTest.cosine;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class BgeModelTest {
    @Test
    void bgeUsesClsPoolingAndItsLongerLength() {
        Embedder bge = EmbeddingModels.named("bge-small-en-v1.5");
        assertThat(bge.model().pooling()).isEqualTo(Pooling.CLS);
        assertThat(bge.model().maxSequenceLength()).isEqualTo(512);
        assertThat(bge.model().dimension()).isEqualTo(384);
        List<Embedder.Embedding> embeddings = bge.embed(List.of("A cat sits on the mat.", "A kitten is sitting on a rug.", "Quarterly revenue grew by four percent.", (EmbedderTest.PARAGRAPH + " ").repeat(4)));
        assertThat(cosine(embeddings.get(0).vector(), embeddings.get(1).vector())).isGreaterThan(cosine(embeddings.get(0).vector(), embeddings.get(2).vector()));
        assertThat(embeddings.get(3).tokens()).isGreaterThan(256).isLessThanOrEqualTo(512);
    }
}
