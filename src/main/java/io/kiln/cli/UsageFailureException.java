package io.kiln.cli;

/** The user asked for something this client cannot do before any request is sent: a bad URL, an unreadable spec. */
final class UsageFailureException
        extends RuntimeException
{
    UsageFailureException(String message)
    {
        super(message);
    }
}
