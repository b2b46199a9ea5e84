package io.kiln.cli;

import java.net.URI;

import static java.util.Objects.requireNonNull;

/** No HTTP answer came back from the service: refused, timed out, unknown host, reset. */
final class ServiceUnreachableException
        extends RuntimeException
{
    private final URI url;
    private final String reason;

    ServiceUnreachableException(URI url, String reason, Throwable cause)
    {
        super("cannot reach the Kiln service at %s: %s".formatted(url, reason), cause);
        this.url = requireNonNull(url, "url is null");
        this.reason = requireNonNull(reason, "reason is null");
    }

    URI url()
    {
        return url;
    }

    String reason()
    {
        return reason;
    }
}
