package io.kiln.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(
        name = "follow",
        description = {
                "Follow a job until it ends, then print its summary.",
                "Progress goes to standard error: a bar on a terminal, otherwise a line every 2 s.",
                "Exit 0 if the job is PUBLISHED, 1 if it ends otherwise.",
        })
final class FollowCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "JOB_ID", description = "The job to follow.")
    String jobId;

    @Override
    public Integer call()
            throws InterruptedException
    {
        return JobFollower.onConsole(kiln.client()).follow(jobId);
    }
}
