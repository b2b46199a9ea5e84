package io.kiln.cli;

import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "reproduce", description = {
        "Re-run a published job's spec on the same inputs (checked by sha256) into a scratch branch and",
        "say whether the content digest is identical. Exit 0 if identical, 1 if not or if the inputs changed."})
final class ReproduceCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "JOB_ID")
    String jobId;

    @Option(names = "--json", description = "Print the service's JSON as it is.")
    boolean json;

    @Option(names = "--idempotency-key", paramLabel = "KEY", description = "Sent so that a retry never starts a second reproduction (default: a new random key, reused by this command's own retries).")
    String idempotencyKey;

    @Override
    public Integer call()
    {
        KilnClient client = kiln.client();
        JsonNode accepted = client.postOnce(KilnClient.jobPath(jobId) + "/reproduce", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.util.Optional.ofNullable(idempotencyKey), "reproduction", JsonNode.class);
        String id = accepted.path("id").asText();
        JsonNode reproduction = client.follow("/v1/reproductions/" + KilnClient.pathSegment(id), progress -> {});
        if (json) {
            JsonOutput.print(reproduction);
        }
        JsonNode result = reproduction.path("result");
        if (!reproduction.path("state").asText().equals("SUCCEEDED")) {
            System.err.printf("kiln: reproduction %s FAILED: %s (%s)%n", id, reproduction.path("error").path("message").asText(),
                    reproduction.path("error").path("code").asText());
            return ExitCode.NOT_PUBLISHED;
        }
        if (!json) {
            System.out.printf("outcome             %s%n", result.path("outcome").asText());
            System.out.printf("original digest     %s%n", result.path("originalDigest").asText("-"));
            System.out.printf("reproduced digest   %s%n", result.path("reproducedDigest").asText("-"));
            if (!result.path("reason").asText("").isEmpty()) {
                System.out.printf("reason              %s%n", result.path("reason").asText());
            }
            System.out.println("inputs:");
            for (JsonNode input : result.path("inputs")) {
                System.out.printf("  %-10s %s%n", input.path("status").asText(), input.path("uri").asText());
            }
        }
        return result.path("identical").asBoolean(false) ? ExitCode.SUCCESS : ExitCode.NOT_PUBLISHED;
    }
}
