package io.kiln.cli;

import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "pins", description = "List a table's pins.")
final class PinsCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "TABLE")
    String table;

    @Override
    public Integer call()
    {
        JsonNode pins = kiln.client().tree("/v1/tables/" + table + "/pins").path("pins");
        if (pins.isEmpty()) {
            System.out.printf("Table %s has no pins.%n", table);
            return ExitCode.SUCCESS;
        }
        TextTable output = TextTable.withHeaders("PIN", "SNAPSHOT ID>", "OWNER", "CREATED", "RETENTION", "REASON");
        for (JsonNode pin : pins) {
            output.row(pin.path("name").asText(), pin.path("snapshotId").asLong(), pin.path("owner").asText(), pin.path("createdAt").asText(),
                    pin.path("maxRefAgeMs").isNull() || pin.path("maxRefAgeMs").isMissingNode() ? "until unpinned"
                            : (pin.path("maxRefAgeMs").asLong() / 86_400_000L) + " days",
                    pin.path("reason").asText());
        }
        System.out.print(output.render());
        return ExitCode.SUCCESS;
    }
}
