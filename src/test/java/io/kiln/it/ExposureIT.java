package io.kiln.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Kiln process: by default (no authentication) it listens on the loopback interface only;
 * told to listen on every interface without {@code kiln.auth.mode} it refuses to start, saying why;
 * with {@code kiln.auth.mode=none} it serves other interfaces.
 */
class ExposureIT {
    @TempDir
    Path temp;

    @Test
    void kilnServesOnlyThisMachineUnlessOpenedExplicitly() throws Exception {
        Optional<InetAddress> external = externalAddress();
        try (KilnProcess kiln = KilnProcess.start(Map.of("KILN_DATA_DIR", temp.resolve("default").toString(), "KILN_CHECKS_ENGINE_MODE", "off"), List.of(),
                Files.createFile(temp.resolve("default.log")))) {
            assertThat(kiln.get("/v1/tables").status()).isEqualTo(200);
            assertThat(kiln.logTail()).contains("only this machine can reach it");
            if (external.isPresent()) {
                int port = java.net.URI.create(kiln.url()).getPort();
                assertThatThrownBy(() -> connect(external.get(), port)).as("the loopback default is not reachable on %s", external.get())
                        .isInstanceOf(ConnectException.class);
            }
        }

        assertThatThrownBy(() -> KilnProcess.start(Map.of("KILN_DATA_DIR", temp.resolve("open").toString(), "KILN_CHECKS_ENGINE_MODE", "off",
                "QUARKUS_HTTP_HOST", "0.0.0.0"), List.of(), Files.createFile(temp.resolve("open.log")))).hasMessageContaining("would listen on 0.0.0.0 without authentication")
                .hasMessageContaining("KILN_AUTH_MODE=none");

        try (KilnProcess open = KilnProcess.start(Map.of("KILN_DATA_DIR", temp.resolve("none").toString(), "KILN_CHECKS_ENGINE_MODE", "off",
                "QUARKUS_HTTP_HOST", "0.0.0.0", "KILN_AUTH_MODE", "none"), List.of(), Files.createFile(temp.resolve("none.log")))) {
            assertThat(open.logTail()).contains("with kiln.auth.mode=none");
            if (external.isPresent()) {
                connect(external.get(), java.net.URI.create(open.url()).getPort());
            }
        }
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
        }
    }

    /** An IPv4 address of this machine that is not a loopback one, if it has one. */
    private static Optional<InetAddress> externalAddress() throws IOException {
        for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!network.isUp() || network.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(network.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }
}
