package io.kiln.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "download", description = {
        "Copy a finished export from the service to this machine, file by file (shards, README.md, manifest.json),",
        "checking each shard's sha256 against the manifest. DIR must be new or empty. Exit 0 when every file matches."})
final class DownloadCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Parameters(index = "0", paramLabel = "EXPORT_ID", description = "The export's id, as kiln export prints it.")
    String exportId;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where to put the files, under their manifest paths.")
    Path out;

    @Override
    public Integer call()
            throws IOException
    {
        KilnClient client = kiln.client();
        String base = "/v1/exports/" + KilnClient.pathSegment(exportId);
        JsonNode export = client.tree(base);
        if (!export.path("state").asText().equals("SUCCEEDED")) {
            throw new UsageFailureException("export " + exportId + " is " + export.path("state").asText() + "; only a SUCCEEDED export can be downloaded");
        }
        Path directory = out.toAbsolutePath().normalize();
        if (Files.exists(directory)) {
            try (var entries = Files.list(directory)) {
                if (entries.findAny().isPresent()) {
                    throw new UsageFailureException(directory + " is not empty; downloads never overwrite");
                }
            }
        }
        JsonNode manifest = export.path("manifest");
        java.util.Map<String, String> expected = new java.util.LinkedHashMap<>();
        manifest.path("files").forEach(file -> expected.put(file.path("path").asText(), file.path("sha256").asText()));
        int mismatches = 0;
        long bytes = 0;
        for (JsonNode path : export.path("files")) {
            String relative = path.asText().substring((base + "/files/").length());
            Path target = directory.resolve(relative).normalize();
            if (!target.startsWith(directory)) {
                throw new UsageFailureException("the service named a file outside " + directory + ": " + relative);
            }
            Files.createDirectories(target.getParent());
            String sha256 = client.download(path.asText(), target);
            bytes += Files.size(target);
            String want = expected.get(relative);
            if (want != null && !want.equals(sha256)) {
                System.err.printf("kiln: %s has sha256 %s, the manifest says %s%n", relative, sha256, want);
                mismatches++;
            }
        }
        System.out.printf("Downloaded export %s (%,d rows of %s at snapshot %s): %d files, %,d bytes, to %s%s%n", exportId, manifest.path("rows").asLong(),
                manifest.path("table").asText(), manifest.path("snapshotId").asText(), export.path("files").size(), bytes, directory,
                mismatches == 0 ? "; every shard matches its sha256" : "");
        return mismatches == 0 ? ExitCode.SUCCESS : ExitCode.NOT_PUBLISHED;
    }
}
