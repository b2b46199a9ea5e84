package io.kiln.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

@Command(name = "snapshots", description = "List a table's snapshots with the job that wrote each.")
final class SnapshotsCommand
        implements Callable<Integer>
{
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final int SHORT_DIGEST_LENGTH = 12;

    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "TABLE", description = "NAMESPACE.NAME, for example demo.docs.")
    String table;

    @Option(names = "--json", description = "Print the service's JSON as it is.")
    boolean json;

    @Override
    public Integer call()
    {
        KilnClient client = kiln.client();
        if (json) {
            JsonOutput.print(client.tree(KilnClient.snapshotsPath(table)));
            return ExitCode.SUCCESS;
        }
        Snapshot.Listing listing = client.snapshots(table);
        if (listing.snapshots().isEmpty()) {
            System.out.printf("Table %s has no snapshots.%n", listing.table());
            return ExitCode.SUCCESS;
        }
        TextTable output = TextTable.withHeaders("SNAPSHOT ID>", "TIME", "ON MAIN", "REFS", "CHECKS", "JOB ID", "ROWS WRITTEN>", "CONTENT DIGEST");
        for (Snapshot snapshot : listing.snapshots()) {
            output.row(
                    snapshot.snapshotId(),
                    TIME.format(Instant.ofEpochMilli(snapshot.timestampMillis())),
                    snapshot.onMain() ? "yes" : "no",
                    snapshot.refs() == null || snapshot.refs().isEmpty() ? "-" : String.join(",", snapshot.refs()),
                    snapshot.summaryValue("kiln.checks.outcome").orElse(snapshot.summaryValue("kiln.job-id").isPresent() ? "staged" : "-"),
                    snapshot.summaryValue("kiln.job-id").orElse("-"),
                    snapshot.summaryValue("kiln.rows-written").orElse("-"),
                    snapshot.summaryValue("kiln.content-digest").map(SnapshotsCommand::shortDigest).orElse("-"));
        }
        System.out.print(output.render());
        return ExitCode.SUCCESS;
    }

    private static String shortDigest(String digest)
    {
        return digest.length() <= SHORT_DIGEST_LENGTH ? digest : digest.substring(0, SHORT_DIGEST_LENGTH);
    }
}
