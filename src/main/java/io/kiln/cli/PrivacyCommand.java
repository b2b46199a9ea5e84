package io.kiln.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "privacy", description = {
        "The re-identification risk of a snapshot over the whole table, as JSON: its rows grouped by the quasi-identifiers",
        "its anonymize step recorded (or --quasi-identifiers), the class sizes, prosecutor and average risk, sample uniqueness."})
final class PrivacyCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "TABLE")
    String table;

    @Parameters(index = "1", paramLabel = "SNAPSHOT", description = "A snapshot id.")
    long snapshot;

    @Option(names = "--quasi-identifiers", paramLabel = "COLUMNS", description = "Comma-separated columns to group by instead of the recorded ones.")
    String quasiIdentifiers;

    @Override
    public Integer call()
    {
        String path = "/v1/tables/" + KilnClient.pathSegment(table) + "/snapshots/" + snapshot + "/privacy"
                + (quasiIdentifiers == null ? "" : "?quasiIdentifiers=" + java.net.URLEncoder.encode(quasiIdentifiers, java.nio.charset.StandardCharsets.UTF_8));
        JsonOutput.print(kiln.client().tree(path));
        return ExitCode.SUCCESS;
    }
}
