package io.kiln.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(
        name = "submit",
        description = {
                "Submit a job spec (POST /v1/jobs); print the job id and state.",
                "With --follow, then follow the job as 'kiln follow' does.",
        })
final class SubmitCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "SPEC.json", description = "The job spec, a JSON file; '-' reads standard input.")
    Path specification;

    @Option(
            names = "--idempotency-key",
            paramLabel = "KEY",
            description = "Sent as the Idempotency-Key header: submitting again with the same key returns the same job instead of starting another.")
    String idempotencyKey;

    @Option(names = "--follow", description = "Follow the job until it ends; exit 0 only if it is PUBLISHED.")
    boolean follow;

    @Override
    public Integer call()
            throws InterruptedException
    {
        byte[] body = readSpecification();
        KilnClient client = kiln.client();
        Job job = client.submit(body, Optional.ofNullable(idempotencyKey).filter(key -> !key.isBlank()));
        System.out.printf("Submitted job %s (%s)%n", job.id(), job.state());
        System.out.flush();
        if (follow) {
            return JobFollower.onConsole(client).follow(job.id());
        }
        return ExitCode.SUCCESS;
    }

    private byte[] readSpecification()
    {
        String name = specification.toString();
        byte[] body;
        try {
            body = name.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(specification);
        }
        catch (NoSuchFileException e) {
            throw new UsageFailureException("cannot read job spec %s: no such file".formatted(name));
        }
        catch (IOException e) {
            throw new UsageFailureException("cannot read job spec %s: %s".formatted(name, e.getMessage()));
        }
        try {
            KilnClient.newObjectMapper().readTree(body);
        }
        catch (JsonProcessingException e) {
            JsonLocation location = e.getLocation();
            String where = location == null ? "" : " at line %d, column %d".formatted(location.getLineNr(), location.getColumnNr());
            throw new UsageFailureException("job spec %s is not valid JSON%s: %s".formatted(name, where, e.getOriginalMessage()));
        }
        catch (IOException e) {
            throw new UsageFailureException("cannot read job spec %s: %s".formatted(name, e.getMessage()));
        }
        return body;
    }
}
