package io.kiln.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "lineage", description = {
        "Where rows came from and how they were made, as JSON: of one row (--row ID, at main's head or --snapshot ID),",
        "or of a snapshot (--snapshot ID alone): its job, inputs with their sha256, recipe, checks and rejects."})
final class LineageCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "TABLE")
    String table;

    @Option(names = "--row", paramLabel = "ID", description = "A row id.")
    String row;

    @Option(names = "--snapshot", paramLabel = "ID", description = "A snapshot id.")
    Long snapshot;

    @Override
    public Integer call()
    {
        String base = "/v1/tables/" + KilnClient.pathSegment(table);
        String path;
        if (row != null) {
            path = base + "/rows/" + KilnClient.pathSegment(row) + "/lineage" + (snapshot == null ? "" : "?snapshot=" + snapshot);
        }
        else if (snapshot != null) {
            path = base + "/snapshots/" + snapshot + "/lineage";
        }
        else {
            throw new UsageFailureException("lineage needs --row ID, --snapshot ID or both");
        }
        JsonOutput.print(kiln.client().tree(path));
        return ExitCode.SUCCESS;
    }
}
