package io.kiln.cli;

import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "pin", description = {
        "Pin a published snapshot for a training run: an Iceberg tag that snapshot expiry keeps (forever, or for",
        "--retention-days), recording who pinned it and why."})
final class PinCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "TABLE")
    String table;

    @Parameters(index = "1", paramLabel = "SNAPSHOT_ID")
    long snapshotId;

    @Option(names = "--name", required = true, description = "The pin's name, e.g. train-2026-11.")
    String name;

    @Option(names = "--reason", required = true, description = "Why this data is pinned.")
    String reason;

    @Option(names = "--owner", defaultValue = "${env:USER:-unknown}", description = "Who pins it (default: $USER).")
    String owner;

    @Option(names = "--retention-days", description = "Keep the pinned snapshot this long; default until unpinned.")
    Integer retentionDays;

    @Override
    public Integer call()
    {
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("name", name).put("snapshotId", snapshotId).put("reason", reason).put("owner", owner);
        if (retentionDays != null) {
            body.put("retentionDays", retentionDays);
        }
        JsonNode pin = kiln.client().post("/v1/tables/" + table + "/pins", body);
        System.out.printf("Pinned %s snapshot %d as '%s' (owner %s)%n", table, pin.path("snapshotId").asLong(), pin.path("name").asText(), pin.path("owner").asText());
        return ExitCode.SUCCESS;
    }
}
