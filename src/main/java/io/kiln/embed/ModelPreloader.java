package io.kiln.embed;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.kiln.KilnConfig;
import io.quarkus.runtime.StartupEvent;

/**
 * Loads the configured shipped embedding models ({@code kiln.embed.preload}) on a background thread
 * at start-up, so that job creation, which binds the embed step to its model, does not load a model
 * inside the request. A model that fails to load is logged; a job naming it then gets the error.
 */
@ApplicationScoped
public class ModelPreloader {
    private static final Logger LOG = Logger.getLogger(ModelPreloader.class);

    @Inject
    KilnConfig config;

    void onStart(@Observes StartupEvent event) {
        List<String> models = config.embedPreload().stream().map(String::strip).filter(name -> !name.isEmpty() && !name.equals("none")).toList();
        for (String model : models) {
            if (!EmbeddingModels.names().contains(model)) {
                LOG.warnf("kiln.embed.preload names %s, which is not a shipped model (%s); not loaded", model, String.join(", ", EmbeddingModels.names()));
            }
        }
        List<String> shipped = models.stream().filter(EmbeddingModels.names()::contains).toList();
        if (shipped.isEmpty()) {
            return;
        }
        Thread thread = new Thread(() -> {
            for (String model : shipped) {
                long start = System.nanoTime();
                try {
                    EmbeddingModels.named(model);
                    LOG.infof("Loaded the embedding model %s in %d ms (kiln.embed.preload)", model, (System.nanoTime() - start) / 1_000_000);
                }
                catch (RuntimeException e) {
                    LOG.warnf("Cannot preload the embedding model %s: %s", model, e.getMessage());
                }
            }
        }, "kiln-model-preload");
        thread.setDaemon(true);
        thread.start();
    }
}
