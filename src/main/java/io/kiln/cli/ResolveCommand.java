package io.kiln.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "resolve", description = {
        "Resolve a training config (YAML or JSON: table, pin or snapshot, columns, filter, split) to the exact",
        "snapshot it means: id, recipe, row count, content digest. Fails clearly if the pin or snapshot is",
        "unknown, was never published, or no longer exists."})
final class ResolveCommand
        implements Callable<Integer>
{
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "CONFIG", description = "The training config file (.yaml, .yml or .json).")
    Path config;

    @Option(names = "--json", description = "Print the service's JSON as it is.")
    boolean json;

    @Override
    public Integer call()
    {
        JsonNode body;
        try {
            body = YAML.readTree(Files.readString(config));
        }
        catch (IOException e) {
            throw new UsageFailureException("cannot read " + config + ": " + e.getMessage());
        }
        if (body == null || !body.isObject()) {
            throw new UsageFailureException(config + " is not a training config (expected keys such as table, pin, columns)");
        }
        JsonNode resolution = kiln.client().post("/v1/training/resolve", body);
        if (json) {
            JsonOutput.print(resolution);
            return ExitCode.SUCCESS;
        }
        System.out.printf("table           %s%n", resolution.path("table").asText());
        if (!resolution.path("pin").isNull() && !resolution.path("pin").isMissingNode()) {
            System.out.printf("pin             %s%n", resolution.path("pin").asText());
        }
        System.out.printf("snapshot        %d%n", resolution.path("snapshotId").asLong());
        System.out.printf("rows            %d selected (of %d in the snapshot)%n", resolution.path("rows").asLong(), resolution.path("snapshotRows").asLong());
        System.out.printf("rows sha256     %s%n", resolution.path("rowsSha256").asText("-"));
        System.out.printf("content digest  %s%n", resolution.path("contentDigest").asText("-"));
        System.out.printf("recipe          %s%n", resolution.path("recipe").asText("-"));
        System.out.printf("recipe spec     %s%n", resolution.path("recipeSpec").asText("-"));
        System.out.printf("written by      %s%n", resolution.path("jobId").asText("-"));
        System.out.printf("trino           %s%n", resolution.path("trinoSql").asText());
        System.out.printf("rows path       %s%n", resolution.path("rowsPath").asText());
        return ExitCode.SUCCESS;
    }
}
