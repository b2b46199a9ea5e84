package io.kiln.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "status", description = "Show one job now: state, table, snapshot, counts, rejects by reason, progress, error.")
final class StatusCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "JOB_ID", description = "The job to show.")
    String jobId;

    @Option(names = "--json", description = "Print the service's JSON as it is.")
    boolean json;

    @Override
    public Integer call()
    {
        KilnClient client = kiln.client();
        if (json) {
            JsonOutput.print(client.tree(KilnClient.jobPath(jobId)));
        }
        else {
            System.out.print(JobReport.summary(client.job(jobId)));
        }
        return ExitCode.SUCCESS;
    }
}
