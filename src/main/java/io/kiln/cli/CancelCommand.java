package io.kiln.cli;

import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "cancel", description = {
        "Cancel a queued or running job (POST /v1/jobs/{id}/cancel). A running job shows CANCELLING until it stops",
        "at its next batch; nothing of it is committed. A finished or auditing job cannot be cancelled (exit 2)."})
final class CancelCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "JOB_ID")
    String jobId;

    @Override
    public Integer call()
    {
        var job = kiln.client().post(KilnClient.jobPath(jobId) + "/cancel", JsonNodeFactory.instance.objectNode());
        System.out.printf("Job %s is %s%n", job.path("id").asText(), job.path("state").asText());
        return ExitCode.SUCCESS;
    }
}
