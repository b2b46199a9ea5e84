package io.kiln.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/**
 * The {@code kiln} command-line client: submits jobs to the Kiln service, follows them, and lists
 * jobs, tables and snapshots. Plain Java on purpose (no CDI), so it starts fast from the service's
 * class path: {@code java -cp "target/quarkus-app/app/*:target/quarkus-app/lib/main/*" io.kiln.cli.Kiln}.
 */
@Command(
        name = "kiln",
        description = "Command-line client for the Kiln ingestion service.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
                SubmitCommand.class,
                FollowCommand.class,
                StatusCommand.class,
                JobsCommand.class,
                TablesCommand.class,
                SnapshotsCommand.class,
                ExportCommand.class,
                DownloadCommand.class,
                TrinoCommand.class,
                PinCommand.class,
                PinsCommand.class,
                ResolveCommand.class,
                ReproduceCommand.class,
                CancelCommand.class,
                UnpinCommand.class,
                LineageCommand.class,
                PrivacyCommand.class,
                LabelsCommand.class,
                ContaminationCommand.class,
                RowsCommand.class,
                ChecksCommand.class,
                MaintenanceCommand.class,
                ApiKeyCommand.class,
        },
        footer = {
                "",
                "Environment:",
                "  KILN_URL      the service URL used when --url is not given",
                "  KILN_API_KEY  the API key sent with every request (else the file",
                "                $XDG_CONFIG_HOME/kiln/api-key, by default ~/.config/kiln/api-key)",
                "",
                "Exit codes:",
                "  0  done; for follow and submit --follow: the job was PUBLISHED",
                "  1  the followed job ended REJECTED, FAILED or CANCELLED",
                "  2  bad command line, or the service refused the request",
                "  3  the service could not be reached",
        })
public final class Kiln
        implements Runnable
{
    static final String DEFAULT_URL = "http://localhost:8080";

    @Option(
            names = "--url",
            paramLabel = "URL",
            scope = ScopeType.INHERIT,
            defaultValue = "${env:KILN_URL:-" + DEFAULT_URL + "}",
            description = "The Kiln service (default: $KILN_URL, else " + DEFAULT_URL + ").")
    String url;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "Show this help and exit.")
    boolean helpRequested;

    @Spec
    CommandSpec spec;

    private KilnClient client;

    public static void main(String[] args)
    {
        System.exit(execute(args));
    }

    static int execute(String... args)
    {
        return new CommandLine(new Kiln())
                .setExecutionExceptionHandler(Kiln::handleFailure)
                .execute(args);
    }

    @Override
    public void run()
    {
        throw new ParameterException(spec.commandLine(), "Missing a command, for example: kiln jobs");
    }

    KilnClient client()
    {
        if (client == null) {
            client = KilnClient.forUrl(url == null || url.isBlank() ? DEFAULT_URL : url);
        }
        return client;
    }

    private static int handleFailure(Exception failure, CommandLine commandLine, CommandLine.ParseResult parseResult)
    {
        PrintWriter err = commandLine.getErr();
        if (failure instanceof ServiceErrorException error) {
            err.printf("kiln: %s (HTTP %d): %s%n", error.code(), error.status(), error.getMessage());
            for (ServiceErrorException.Violation violation : error.violations()) {
                err.printf("  %s: %s%n", violation.field().isEmpty() ? "(spec)" : violation.field(), violation.message());
            }
            err.flush();
            return ExitCode.REFUSED;
        }
        if (failure instanceof ServiceUnreachableException unreachable) {
            err.printf("kiln: %s. Is it running? Use --url or KILN_URL to point elsewhere.%n", unreachable.getMessage());
            err.flush();
            return ExitCode.UNREACHABLE;
        }
        if (failure instanceof UsageFailureException usage) {
            err.printf("kiln: %s%n", usage.getMessage());
            err.flush();
            return ExitCode.REFUSED;
        }
        if (failure instanceof InterruptedException) {
            return ExitCode.INTERRUPTED;
        }
        err.printf("kiln: unexpected failure: %s%n", failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage());
        if (System.getenv("KILN_DEBUG") != null) {
            failure.printStackTrace(err);
        }
        else {
            err.println("kiln: set KILN_DEBUG=1 to see the details.");
        }
        err.flush();
        return ExitCode.REFUSED;
    }
}
