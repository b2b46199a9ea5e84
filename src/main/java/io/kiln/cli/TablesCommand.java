package io.kiln.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "tables", description = "List the tables in the catalog, one a line.")
final class TablesCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Option(names = "--json", description = "Print the service's JSON as it is.")
    boolean json;

    @Override
    public Integer call()
    {
        KilnClient client = kiln.client();
        if (json) {
            JsonOutput.print(client.tree("/v1/tables"));
            return ExitCode.SUCCESS;
        }
        List<String> tables = client.tables();
        if (tables.isEmpty()) {
            System.out.println("No tables.");
        }
        tables.forEach(System.out::println);
        return ExitCode.SUCCESS;
    }
}
