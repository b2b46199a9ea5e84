package io.kiln.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.kiln.KilnConfig;
import io.quarkus.runtime.StartupEvent;

/**
 * Who can reach Kiln. Without authentication it serves the loopback interface only (the default
 * {@code quarkus.http.host=127.0.0.1}) and says so at start; bound to any other interface it
 * refuses to start unless {@code kiln.auth.mode=none} says that every client may be served.
 */
@ApplicationScoped
public class Exposure {
    private static final Logger LOG = Logger.getLogger(Exposure.class);

    @Inject
    KilnConfig config;
    @ConfigProperty(name = "quarkus.http.host", defaultValue = "127.0.0.1")
    String host;

    void onStart(@Observes StartupEvent event) {
        check(host, config.authMode());
    }

    static void check(String host, Optional<String> authMode) {
        Optional<String> mode = authMode.map(String::strip).filter(value -> !value.isEmpty());
        if (mode.isPresent() && !mode.get().equals("none")) {
            throw new IllegalStateException("kiln.auth.mode must be none (serve every client without authentication) or unset, was '" + mode.get()
                    + "'; API keys and OIDC are not available yet");
        }
        if (isLoopback(host)) {
            if (mode.isEmpty()) {
                LOG.infof("Kiln listens on %s only: without authentication, only this machine can reach it. To serve other machines, set "
                        + "QUARKUS_HTTP_HOST=0.0.0.0 and KILN_AUTH_MODE=none (anyone who reaches the port can then submit jobs).", host);
            }
            return;
        }
        if (mode.isEmpty()) {
            throw new IllegalStateException("Kiln would listen on " + host + " without authentication: anyone who reaches the port could submit jobs that "
                    + "read this server's source roots and delete pins. Listen on 127.0.0.1 (the default), or set kiln.auth.mode=none "
                    + "(KILN_AUTH_MODE=none) to serve every client without authentication.");
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
