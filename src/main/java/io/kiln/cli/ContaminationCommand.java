package io.kiln.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "contamination", description = {
        "How a snapshot overlaps an eval set, as JSON: the dirty eval items (whose 13-grams the rows share) with their first rows,",
        "the clean ones, the source files on both sides and, with --vector-column, each eval item's most similar rows."})
final class ContaminationCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "TABLE")
    String table;

    @Parameters(index = "1", paramLabel = "SNAPSHOT", description = "A snapshot id.")
    long snapshot;

    @Option(names = "--eval", required = true, paramLabel = "TABLE@PIN", description = "The eval set: its table and pin (or snapshot id), e.g. evals.qa@v1.")
    String eval;

    @Option(names = "--vector-column", paramLabel = "COLUMN", description = "A vector column both tables have (same model): list each eval item's nearest rows.")
    String vectorColumn;

    @Option(names = "--neighbours", paramLabel = "K", description = "Nearest rows per eval item (default 5).")
    Integer neighbours;

    @Override
    public Integer call()
    {
        StringBuilder path = new StringBuilder("/v1/tables/" + KilnClient.pathSegment(table) + "/snapshots/" + snapshot + "/contamination?eval=" + encode(eval));
        if (vectorColumn != null) {
            path.append("&vectorColumn=").append(encode(vectorColumn));
        }
        if (neighbours != null) {
            path.append("&neighbours=").append(neighbours);
        }
        JsonOutput.print(kiln.client().tree(path.toString()));
        return ExitCode.SUCCESS;
    }

    private static String encode(String value)
    {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
