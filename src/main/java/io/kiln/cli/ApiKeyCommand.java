package io.kiln.cli;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.kiln.api.auth.ApiKeys;
import io.kiln.api.auth.Roles;

@Command(name = "api-key", description = "Make a new API key: prints the key (give it to its holder) and the configuration that lets the service accept it (its sha256, never the key).")
final class ApiKeyCommand
        implements Callable<Integer>
{
    @Option(names = "--id", required = true, description = "The key's id in configuration (lower case letters, digits and dashes).")
    String id;

    @Option(names = "--role", required = true, description = "reader, writer or admin.")
    String role;

    @Option(names = "--name", description = "Who holds it, as jobs, pins and the audit log record it (default: the id).")
    String name;

    @Override
    public Integer call()
    {
        if (!id.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new UsageFailureException("--id must be lower case letters, digits and dashes, was '%s'".formatted(id));
        }
        if (!Roles.ALL.contains(role)) {
            throw new UsageFailureException("--role must be one of %s, was '%s'".formatted(String.join(", ", Roles.ALL), role));
        }
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String key = "kiln_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        String sha256 = HexFormat.of().formatHex(ApiKeys.sha256(key));
        String env = "KILN_AUTH_API_KEYS_" + id.toUpperCase(Locale.ROOT).replace('-', '_') + "_";
        System.out.println("API key (shown once; the service keeps only its sha256): " + key);
        System.out.println();
        System.out.println("Service configuration, as properties (config/application.properties):");
        System.out.println("  kiln.auth.api-keys." + id + ".sha256=" + sha256);
        System.out.println("  kiln.auth.api-keys." + id + ".role=" + role);
        System.out.println("  kiln.auth.api-keys." + id + ".name=" + (name == null ? id : name));
        System.out.println("or as environment variables:");
        System.out.println("  " + env + "SHA256=" + sha256);
        System.out.println("  " + env + "ROLE=" + role);
        System.out.println("  " + env + "NAME=" + (name == null ? id : name));
        System.out.println();
        System.out.println("The holder sets KILN_API_KEY, or saves the key in ~/.config/kiln/api-key.");
        return ExitCode.SUCCESS;
    }
}
