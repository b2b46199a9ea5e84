package io.kiln.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "trino", description = {
        "Start a local Trino server that reads this Kiln's tables, with the catalog properties the",
        "service serves (same catalog name, JDBC URI and warehouse). Runs until interrupted."})
final class TrinoCommand
        implements Callable<Integer>
{
    @ParentCommand
    Kiln kiln;

    @Option(names = "--trino-dir", defaultValue = "target/trino", description = "Where the build unpacked Trino (default: ${DEFAULT-VALUE}).")
    Path trinoDirectory;

    @Option(names = "--work-dir", defaultValue = "kiln-data/trino", description = "Trino's configuration, data and log (default: ${DEFAULT-VALUE}).")
    Path workDirectory;

    @Option(names = "--port", defaultValue = "8081", description = "Trino's HTTP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call()
            throws Exception
    {
        LocalTrino.Installation installation = LocalTrino.Installation.under(trinoDirectory);
        Optional<String> problem = installation.problem();
        if (problem.isPresent()) {
            throw new UsageFailureException(problem.get());
        }
        Path javaHome = LocalTrino.findJava().orElseThrow(() -> new UsageFailureException(
                "Trino " + TrinoVersion.VERSION + " needs Java " + LocalTrino.MINIMUM_JAVA + " or later; none found. Set KILN_TRINO_JAVA_HOME to such a JDK."));
        String properties = kiln.client().trinoCatalogProperties();
        String catalog = properties.lines()
                .filter(line -> line.startsWith("iceberg.jdbc-catalog.catalog-name="))
                .map(line -> line.substring(line.indexOf('=') + 1))
                .findFirst()
                .orElse("kiln");
        System.err.printf("kiln: starting Trino %s on port %d with %s (log: %s)%n", TrinoVersion.VERSION, port, javaHome, workDirectory.resolve("trino.log"));
        try (LocalTrino trino = LocalTrino.start(installation, javaHome, workDirectory, Map.of(catalog, properties), Optional.of(port))) {
            Runtime.getRuntime().addShutdownHook(new Thread(trino::close));
            System.out.printf("Trino is ready: %s%n", trino.jdbcUrl(catalog));
            System.out.printf("  catalog '%s' reads the tables of %s%n", catalog, kiln.url);
            System.out.printf("  try:  SELECT * FROM %s.demo.docs FOR VERSION AS OF <snapshot id>%n", catalog);
            System.out.printf("        SELECT snapshot_id, summary['kiln.job-id'] FROM %s.demo.\"docs$snapshots\"%n", catalog);
            System.out.println("  stop with Ctrl-C");
            return trino.waitFor() == 0 ? ExitCode.SUCCESS : ExitCode.REFUSED;
        }
    }
}
