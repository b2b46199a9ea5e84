package io.kiln.transform.text;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.google.i18n.phonenumbers.PhoneNumberUtil;

import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.TextStep;
import io.kiln.transform.Transform;
import io.kiln.transform.text.pii.PhoneRules;
import io.kiln.transform.text.pii.PiiKind;
import io.kiln.transform.text.pii.PiiMatch;
import io.kiln.transform.text.pii.PiiScanner;

/**
 * {@code pii-redact}: replaces e-mail addresses, phone numbers, IP addresses, payment card numbers,
 * IBANs, US social security numbers and secrets (API keys, tokens, private key blocks) with typed
 * placeholders ({@code <EMAIL>}, {@code <PHONE>}, {@code <IP_ADDRESS>}, {@code <CREDIT_CARD>},
 * {@code <IBAN>}, {@code <US_SSN>}, {@code <SECRET>}) and counts them by kind ({@code email},
 * {@code phone}, {@code ip-address}, ...). What each kind matches, and what it leaves alone
 * (versions, dates, hashes), is documented on its detector in {@code io.kiln.transform.text.pii}.
 *
 * <p>Parameters: {@code kinds} (list of kind names, default all), {@code mode} ({@code placeholder},
 * the default, or {@code pseudonym}), {@code keyEnv} (pseudonym mode only, required there: the name
 * of the environment variable that holds the key; the key itself never enters the recipe, only a
 * hash that tells keys apart), {@code phoneRegion} (ISO 3166 region for national phone formats,
 * default {@code US}), {@code ipAddresses} ({@code public}, the default: only addresses routed on the
 * internet; {@code all}: private and documentation ranges too).
 *
 * <p>Version 2 finds phone numbers that version 1 misses ({@link PhoneRules#VERSION_2}): with an
 * extension, which is redacted with the number, glued to the words or punctuation around them, and
 * with a {@code 1-} trunk prefix; everything else is as in version 1.
 *
 * <p>Pseudonyms are consistent: the same value (after normalization: lower-case e-mail, E.164 phone,
 * with {@code ;ext=} and the extension in version 2,
 * canonical address, digits of a card) always gets the same {@code <KIND_xxxxxxxx>}, the first 8
 * hex digits of HMAC-SHA256(key, kind + ":" + value); without the key they cannot be reversed or
 * reproduced.
 */
public final class PiiRedactStep implements StepDefinition {
    public static final String NAME = "pii-redact";
    /** The versions a JobSpec can name; the last is the current one. */
    public static final List<Integer> VERSIONS = List.of(1, 2);
    private static final Set<String> MODES = Set.of("placeholder", "pseudonym");
    private static final int MINIMUM_KEY_LENGTH = 16;

    private final StepId id;
    private final PhoneRules phoneRules;
    private final Function<String, String> environment;

    /** The current version. */
    public PiiRedactStep() {
        this(VERSIONS.get(VERSIONS.size() - 1));
    }

    /** @param version one of {@link #VERSIONS} */
    public PiiRedactStep(int version) {
        this(version, System::getenv);
    }

    /** For tests: {@code environment} maps a variable name to its value, or null. */
    PiiRedactStep(int version, Function<String, String> environment) {
        if (!VERSIONS.contains(version)) {
            throw new IllegalArgumentException("pii-redact has no version " + version);
        }
        this.id = new StepId(NAME, version);
        this.phoneRules = version == 1 ? PhoneRules.VERSION_1 : PhoneRules.VERSION_2;
        this.environment = requireNonNull(environment, "environment is null");
    }

    @Override
    public StepId id() {
        return id;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of("kinds", "mode", "keyEnv", "phoneRegion", "ipAddresses", "column"));
        Set<PiiKind> kinds = kinds(parameters.get("kinds"));
        String mode = StepParameters.oneOf(parameters, "mode", "placeholder", MODES);
        String phoneRegion = phoneRegion(parameters.get("phoneRegion"));
        PiiScanner.AddressScope addressScope = PiiScanner.AddressScope.valueOf(
                StepParameters.oneOf(parameters, "ipAddresses", "public", Set.of("public", "all")).toUpperCase(java.util.Locale.ROOT));
        Object keyEnv = parameters.get("keyEnv");
        byte[] key = null;
        if (mode.equals("pseudonym")) {
            key = key(keyEnv);
        }
        else if (keyEnv != null) {
            throw new InvalidStepParameterException("keyEnv", "applies only to mode pseudonym; mode is " + mode);
        }
        return new PiiRedact(id(), new PiiScanner(kinds, phoneRegion, addressScope, phoneRules), key == null ? null : new Pseudonyms(key), StepParameters.column(parameters, "column"));
    }

    private static Set<PiiKind> kinds(Object value) {
        if (value == null) {
            return EnumSet.allOf(PiiKind.class);
        }
        if (!(value instanceof List<?> names) || names.isEmpty()) {
            throw new InvalidStepParameterException("kinds", "must be a non-empty list of " + knownKinds() + ", was " + value);
        }
        EnumSet<PiiKind> kinds = EnumSet.noneOf(PiiKind.class);
        for (Object name : names) {
            PiiKind kind = name instanceof String text ? PiiKind.byParameterName(text).orElse(null) : null;
            if (kind == null) {
                throw new InvalidStepParameterException("kinds", "unknown kind " + name + "; known kinds are " + knownKinds());
            }
            kinds.add(kind);
        }
        return kinds;
    }

    private static String knownKinds() {
        return String.join(", ", EnumSet.allOf(PiiKind.class).stream().map(PiiKind::parameterName).toList());
    }

    private static String phoneRegion(Object value) {
        if (value == null) {
            return "US";
        }
        if (!(value instanceof String region) || !PhoneNumberUtil.getInstance().getSupportedRegions().contains(region)) {
            throw new InvalidStepParameterException("phoneRegion", "must be a two-letter region that libphonenumber supports (e.g. US, GB, DE), was " + value);
        }
        return region;
    }

    private byte[] key(Object keyEnv) {
        if (keyEnv == null) {
            throw new InvalidStepParameterException("keyEnv", "mode pseudonym needs keyEnv, the name of an environment variable that holds the key");
        }
        if (!(keyEnv instanceof String name) || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new InvalidStepParameterException("keyEnv", "must be the name of an environment variable, was " + keyEnv);
        }
        String key = environment.apply(name);
        if (key == null || key.isEmpty()) {
            throw new InvalidStepParameterException("keyEnv", "environment variable " + name + " is not set; it must hold the pseudonym key");
        }
        if (key.length() < MINIMUM_KEY_LENGTH) {
            throw new InvalidStepParameterException("keyEnv", "the key in environment variable " + name + " is too short: at least " + MINIMUM_KEY_LENGTH + " characters");
        }
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private record PiiRedact(StepId id, PiiScanner scanner, Pseudonyms pseudonyms, String column) implements TextStep {
        @Override
        public Outcome apply(Row row, String text) {
            List<PiiMatch> matches = scanner.scan(text);
            if (matches.isEmpty()) {
                return Outcome.emit(row);
            }
            StringBuilder redacted = new StringBuilder(text.length());
            Map<PiiKind, Long> counts = new EnumMap<>(PiiKind.class);
            int copied = 0;
            for (PiiMatch match : matches) {
                redacted.append(text, copied, match.start());
                redacted.append(pseudonyms == null ? match.kind().placeholder() : pseudonyms.of(match));
                copied = match.end();
                counts.merge(match.kind(), 1L, Long::sum);
            }
            redacted.append(text, copied, text.length());
            Outcome.Emit emit = Outcome.emit(row.with(column, redacted.toString()));
            for (Map.Entry<PiiKind, Long> count : counts.entrySet()) {
                emit = emit.counting(count.getKey().parameterName(), count.getValue());
            }
            return emit;
        }

        @Override
        public Map<String, String> fingerprint() {
            return pseudonyms == null ? Map.of() : Map.of("pseudonym-key", pseudonyms.keyId());
        }
    }

    /** HMAC-SHA256 pseudonyms; a {@link Mac} per call, since a Mac is not thread-safe. */
    private static final class Pseudonyms {
        private final SecretKeySpec key;

        Pseudonyms(byte[] key) {
            this.key = new SecretKeySpec(key, "HmacSHA256");
        }

        String of(PiiMatch match) {
            String digest = hmac(match.kind().parameterName() + ":" + match.normalized());
            return "<" + match.kind().label() + "_" + digest.substring(0, 8) + ">";
        }

        /** Tells keys apart in the recipe without revealing them. */
        String keyId() {
            return hmac("kiln.pii-redact.key-id").substring(0, 16);
        }

        private String hmac(String value) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
            }
            catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new IllegalStateException("HmacSHA256 is unavailable", e);
            }
        }
    }
}
