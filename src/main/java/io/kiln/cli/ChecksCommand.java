package io.kiln.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "checks", description = "A table's data-quality metric history (from the check engine's metrics repository), oldest first, as JSON.")
final class ChecksCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "TABLE")
    String table;

    @Override
    public Integer call()
    {
        JsonOutput.print(kiln.client().tree("/v1/tables/" + KilnClient.pathSegment(table) + "/checks"));
        return ExitCode.SUCCESS;
    }
}
