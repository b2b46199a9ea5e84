package io.kiln.cli;

/** The exit codes of {@code kiln}; scripts depend on them, so a code never changes meaning. */
final class ExitCode
{
    /** The command did what was asked; for {@code follow} and {@code submit --follow}, the job was published. */
    static final int SUCCESS = 0;
    /** A followed job ended in a state other than PUBLISHED: REJECTED, FAILED or CANCELLED. */
    static final int NOT_PUBLISHED = 1;
    /** The command line was wrong, or the service refused the request or answered with an error. */
    static final int REFUSED = 2;
    /** The service could not be reached. */
    static final int UNREACHABLE = 3;
    /** Interrupted (Ctrl-C), as shells report SIGINT. */
    static final int INTERRUPTED = 130;

    private ExitCode() {}
}
