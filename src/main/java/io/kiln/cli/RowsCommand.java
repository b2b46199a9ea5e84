package io.kiln.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "rows", description = {
        "Print a snapshot's rows (by snapshot id or pin) as JSON lines, in a stable order, streamed: the rows endpoint",
        "with its columns, filter, split, shard and limit."})
final class RowsCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "TABLE")
    String table;

    @Parameters(index = "1", paramLabel = "SNAPSHOT", description = "A snapshot id or a pin name.")
    String snapshot;

    @Option(names = "--columns", paramLabel = "A,B", description = "Columns, in output order (default: all).")
    String columns;

    @Option(names = "--filter", paramLabel = "EXPR", description = "Rows to keep, e.g. \"lang = 'en' and tokens >= 10\".")
    String filter;

    @Option(names = "--limit", paramLabel = "N", description = "At most this many rows.")
    Long limit;

    @Option(names = "--split-fraction", paramLabel = "F", description = "Keep only the rows of a training split, as a training config's split.fraction.")
    String splitFraction;

    @Option(names = "--split-fractions", paramLabel = "NAME=F", split = ",", description = "Named splits and their fractions, in order, summing to 1, e.g. train=0.8,validation=0.1,test=0.1 (with --split-name).")
    java.util.LinkedHashMap<String, Double> splitFractions;

    @Option(names = "--split-name", paramLabel = "NAME", description = "With --split-fractions: the split to read.")
    String splitName;

    @Option(names = "--split-by", paramLabel = "COLUMN", description = "The column that groups rows into the same split (default: the row id).")
    String splitBy;

    @Option(names = "--split-seed", paramLabel = "N", description = "The split's seed (default 0).")
    String splitSeed;

    @Option(names = "--shard", paramLabel = "I/N", description = "Keep only shard I of N (0 <= I < N), for data-parallel readers, e.g. 0/4.")
    String shard;

    @Override
    public Integer call()
    {
        List<String> query = new ArrayList<>();
        add(query, "columns", columns);
        add(query, "filter", filter);
        add(query, "limit", limit == null ? null : limit.toString());
        add(query, "split.fraction", splitFraction);
        add(query, "split.fractions", splitFractions == null ? null
                : String.join(",", splitFractions.entrySet().stream().map(entry -> entry.getKey() + ":" + entry.getValue()).toList()));
        add(query, "split.name", splitName);
        add(query, "split.by", splitBy);
        add(query, "split.seed", splitSeed);
        if (shard != null) {
            String[] parts = shard.split("/", -1);
            if (parts.length != 2) {
                throw new UsageFailureException("--shard must be I/N, for example 0/4, was '" + shard + "'");
            }
            add(query, "shard", parts[0].strip());
            add(query, "shards", parts[1].strip());
        }
        String path = "/v1/tables/" + KilnClient.pathSegment(table) + "/snapshots/" + KilnClient.pathSegment(snapshot) + "/rows"
                + (query.isEmpty() ? "" : "?" + String.join("&", query));
        PrintStream out = System.out;
        kiln.client().stream(path, out);
        out.flush();
        return ExitCode.SUCCESS;
    }

    private static void add(List<String> query, String name, String value)
    {
        if (value != null) {
            query.add(name + "=" + KilnClient.pathSegment(value));
        }
    }
}
