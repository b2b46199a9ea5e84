package io.kiln.check;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import io.kiln.KilnConfig;
import io.kiln.catalog.CatalogIdentity;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/** The check engine's lifecycle (per {@code kiln.checks.engine.mode}) and the suites. */
@ApplicationScoped
public class CheckService {
    @Inject
    KilnConfig config;
    @Inject
    CatalogIdentity catalog;

    private Optional<ManagedCheckEngine> engine = Optional.empty();
    private CheckSuites suites;

    @PostConstruct
    void create() {
        suites = new CheckSuites(Path.of(config.checks().suitesDirectory()).toAbsolutePath().normalize());
        KilnConfig.Engine settings = config.checks().engine();
        String mode = settings.mode();
        if ("off".equals(mode)) {
            return;
        }
        if (!"managed".equals(mode) && !"external".equals(mode)) {
            throw new IllegalArgumentException("kiln.checks.engine.mode must be managed, external or off, was " + mode);
        }
        if ("external".equals(mode) && settings.url().isEmpty()) {
            throw new IllegalArgumentException("kiln.checks.engine.mode=external needs kiln.checks.engine.url");
        }
        Path dataDirectory = Path.of(config.dataDirectory()).toAbsolutePath().normalize();
        engine = Optional.of(new ManagedCheckEngine(new ManagedCheckEngine.Settings(
                catalog.id(),
                "managed".equals(mode),
                "external".equals(mode) ? settings.url() : Optional.empty(),
                Path.of(settings.directory()).toAbsolutePath().normalize(),
                settings.javaHome().map(Path::of).orElse(Path.of(System.getProperty("java.home"))),
                settings.sparkMaster(),
                settings.heap(),
                dataDirectory.resolve("checks/metrics"),
                dataDirectory.resolve("checks/engine.log"),
                settings.timeout(),
                settings.startTimeout(),
                settings.healthInterval())));
    }

    void start(@Observes StartupEvent event) {
        engine.ifPresent(ManagedCheckEngine::start);
    }

    void stop(@Observes ShutdownEvent event) {
        engine.ifPresent(ManagedCheckEngine::close);
    }

    public Optional<CheckEngine> engine() {
        return engine.map(CheckEngine.class::cast);
    }

    public CheckSuites suites() {
        return suites;
    }

    public CheckEngine.Status status() {
        return engine.map(ManagedCheckEngine::status).orElse(new CheckEngine.Status("OFF", null, null, 0, null));
    }

    /** The label, contamination, split leakage and drift rules, which Kiln decides, are taken out first; the engine validates the rest, when there is any. */
    public CheckEngine.Validation validate(String suite) {
        RowRules.Split split = RowRules.split(suite);
        List<String> labelRules = split.kilnDecidedRules();
        if (labelRules.isEmpty()) {
            return validateWithEngine(suite);
        }
        String rest = DriftRules.without(LeakageRules.without(ContaminationRules.without(LabelRules.without(suite))));
        if (rest.replaceAll("(?m)#.*$", "").replaceAll("Rules\\s*=\\s*\\[\\s*]", "").isBlank()) {
            return new CheckEngine.Validation(true, null, labelRules);
        }
        CheckEngine.Validation engineValidation = validateWithEngine(rest);
        List<String> rules = new java.util.ArrayList<>(engineValidation.rules());
        rules.addAll(labelRules);
        return new CheckEngine.Validation(engineValidation.valid(), engineValidation.error(), rules);
    }

    private CheckEngine.Validation validateWithEngine(String suite) {
        try {
            return requireEngine().validate(suite);
        }
        catch (CheckEngineException e) {
            throw new KilnException(ErrorCode.CHECK_ENGINE_UNAVAILABLE, "The check engine cannot validate now: " + e.getMessage());
        }
    }

    public JsonNode metrics(String table) {
        try {
            return requireEngine().metrics(table);
        }
        catch (CheckEngineException e) {
            throw new KilnException(ErrorCode.CHECK_ENGINE_UNAVAILABLE, "The check engine cannot answer now: " + e.getMessage());
        }
    }

    private CheckEngine requireEngine() {
        return engine().orElseThrow(() -> new KilnException(ErrorCode.CHECK_ENGINE_UNAVAILABLE, "The check engine is off (kiln.checks.engine.mode=off)"));
    }
}
