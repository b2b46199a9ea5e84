package io.kiln.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "jobs", description = "List jobs, newest first.")
final class JobsCommand
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
            JsonOutput.print(client.tree("/v1/jobs"));
            return ExitCode.SUCCESS;
        }
        List<Job> jobs = client.jobs();
        if (jobs.isEmpty()) {
            System.out.println("No jobs.");
            return ExitCode.SUCCESS;
        }
        TextTable table = TextTable.withHeaders("ID", "STATE", "TABLE", "READ>", "WRITTEN>", "REJECTED>", "CREATED");
        for (Job job : jobs) {
            table.row(job.id(), job.state(), job.table(), job.counts().read(), job.counts().written(), job.counts().rejected(), job.createdAt());
        }
        System.out.print(table.render());
        return ExitCode.SUCCESS;
    }
}
