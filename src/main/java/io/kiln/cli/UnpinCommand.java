package io.kiln.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "unpin", description = "Delete a table's pin (DELETE /v1/tables/{table}/pins/{name}); snapshot expiry may then remove its snapshot.")
final class UnpinCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "TABLE")
    String table;

    @Parameters(index = "1", paramLabel = "NAME")
    String name;

    @Override
    public Integer call()
    {
        kiln.client().delete("/v1/tables/" + KilnClient.pathSegment(table) + "/pins/" + KilnClient.pathSegment(name));
        System.out.printf("Unpinned '%s' of %s%n", name, table);
        return ExitCode.SUCCESS;
    }
}
