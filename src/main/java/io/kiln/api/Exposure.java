package io.kiln.api;

import java.net.InetAddress;
import java.net.UnknownHostException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.kiln.api.auth.Authentication;
import io.quarkus.runtime.StartupEvent;

/**
 * Who can reach Kiln. With API keys, any interface. Without authentication it serves the loopback
 * interface only (the default {@code quarkus.http.host=127.0.0.1}) and says so at start; bound to
 * any other interface it refuses to start unless {@code kiln.auth.mode=none} says that every client
 * may be served.
 */
@ApplicationScoped
public class Exposure {
    private static final Logger LOG = Logger.getLogger(Exposure.class);

    @Inject
    Authentication authentication;
    @ConfigProperty(name = "quarkus.http.host", defaultValue = "127.0.0.1")
    String host;

    void onStart(@Observes StartupEvent event) {
        check(host, authentication);
    }

    /** Refuses (an exception saying why) to serve {@code host} as the auth configuration says; logs how clients are served. */
    static void check(String host, Authentication authentication) {
        if (authentication.mode() == Authentication.Mode.API_KEY) {
            LOG.infof("Kiln listens on %s; every request needs one of its %d API keys (reader, writer or admin)", host, authentication.keys().size());
            return;
        }
        if (authentication.mode() == Authentication.Mode.OIDC) {
            LOG.infof("Kiln listens on %s; every request needs an OIDC bearer token that the identity provider signed, with a role (reader, writer or admin)", host);
            return;
        }
        if (isLoopback(host)) {
            if (!authentication.explicit()) {
                LOG.infof("Kiln listens on %s only: without authentication, only this machine can reach it. To serve other machines, configure API keys "
                        + "(kiln api-key), or set QUARKUS_HTTP_HOST=0.0.0.0 and KILN_AUTH_MODE=none (anyone who reaches the port can then submit jobs).", host);
            }
            return;
        }
        if (!authentication.explicit()) {
            throw new IllegalStateException("Kiln would listen on " + host + " without authentication: anyone who reaches the port could submit jobs that "
                    + "read this server's source roots and delete pins. Configure API keys (kiln api-key prints one), listen on 127.0.0.1 (the default), "
                    + "or set kiln.auth.mode=none (KILN_AUTH_MODE=none) to serve every client without authentication.");
        }
        LOG.warnf("Kiln listens on %s with kiln.auth.mode=none: every client that reaches the port is served without authentication", host);
    }

    private static boolean isLoopback(String host) {
        String bare = host.strip().replaceAll("^\\[|\\]$", "");
        if (bare.equals("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(bare).isLoopbackAddress();
        }
        catch (UnknownHostException e) {
            return false;
        }
    }
}
