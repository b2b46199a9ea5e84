package io.kiln.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "labels", description = {
        "What the label step measured at or before a snapshot, as JSON: each labeling function's coverage, overlap, conflict",
        "and accuracy, and the label model's coverage, precision, recall, F1 and confusion matrix against the gold labels."})
final class LabelsCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "TABLE")
    String table;

    @Parameters(index = "1", paramLabel = "SNAPSHOT", description = "A snapshot id.")
    long snapshot;

    @Override
    public Integer call()
    {
        JsonOutput.print(kiln.client().tree("/v1/tables/" + KilnClient.pathSegment(table) + "/snapshots/" + snapshot + "/labels"));
        return ExitCode.SUCCESS;
    }
}
