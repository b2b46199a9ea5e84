package io.kiln.cli;

import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "maintenance", description = {
        "Expire a table's snapshots older than --expire-days that no pin, tag or branch holds and that are not current,",
        "and with --orphan-grace-days delete files no snapshot reaches that are older than that. Prints the report as JSON."})
final class MaintenanceCommand
        implements Callable<Integer>
{
    private static final long DAY_MILLIS = 86_400_000L;

    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "TABLE")
    String table;

    @Option(names = "--expire-days", paramLabel = "N", required = true, description = "Expire snapshots older than N days (0: every one not held).")
    long expireDays;

    @Option(names = "--orphan-grace-days", paramLabel = "M", description = "Also delete unreachable files older than M days.")
    Long orphanGraceDays;

    @Override
    public Integer call()
    {
        if (expireDays < 0 || orphanGraceDays != null && orphanGraceDays < 0) {
            throw new UsageFailureException("--expire-days and --orphan-grace-days must not be negative");
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("maxSnapshotAgeMs", expireDays * DAY_MILLIS);
        if (orphanGraceDays != null) {
            body.put("orphanGraceMs", orphanGraceDays * DAY_MILLIS);
        }
        JsonOutput.print(kiln.client().post("/v1/tables/" + KilnClient.pathSegment(table) + "/maintenance", body));
        return ExitCode.SUCCESS;
    }
}
