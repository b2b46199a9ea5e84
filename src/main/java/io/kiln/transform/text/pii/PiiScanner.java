package io.kiln.transform.text.pii;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs the detectors of the chosen kinds over a text and resolves overlaps: the longest span wins,
 * then the earliest, then the kind with the stricter check (secret, e-mail, IBAN, card, SSN, IP
 * address, phone); a span that overlaps a winner is dropped. The result is in text order. Thread-safe and deterministic.
 */
public final class PiiScanner {
    /** Between spans of equal length and start, the kind with the stricter check wins. */
    private static final List<PiiKind> TIE_ORDER = List.of(
            PiiKind.SECRET, PiiKind.EMAIL, PiiKind.IBAN, PiiKind.CREDIT_CARD, PiiKind.US_SSN, PiiKind.IP_ADDRESS, PiiKind.PHONE);
    private static final Comparator<PiiMatch> PRIORITY = Comparator.comparingInt(PiiMatch::length).reversed()
            .thenComparingInt(PiiMatch::start)
            .thenComparingInt(match -> TIE_ORDER.indexOf(match.kind()));

    private final List<PiiDetector> detectors;

    /** Which IP addresses count. */
    public enum AddressScope {
        /** Addresses routed on the internet; private, link-local, documentation... ranges are left alone. */
        PUBLIC,
        /** Every address except those that identify no one anywhere (loopback, unspecified, netmasks). */
        ALL
    }

    /**
     * A scanner with {@link PhoneRules#VERSION_1}, the phone rules of {@code pii-redact@1}.
     *
     * @param phoneRegion the ISO 3166 region whose national phone formats count, e.g. {@code US}
     * @param addressScope which IP addresses count
     */
    public PiiScanner(Set<PiiKind> kinds, String phoneRegion, AddressScope addressScope) {
        this(kinds, phoneRegion, addressScope, PhoneRules.VERSION_1);
    }

    /**
     * @param phoneRegion the ISO 3166 region whose national phone formats count, e.g. {@code US}
     * @param addressScope which IP addresses count
     * @param phoneRules which rules the phone detector follows
     */
    public PiiScanner(Set<PiiKind> kinds, String phoneRegion, AddressScope addressScope, PhoneRules phoneRules) {
        requireNonNull(kinds, "kinds is null");
        requireNonNull(phoneRegion, "phoneRegion is null");
        requireNonNull(addressScope, "addressScope is null");
        requireNonNull(phoneRules, "phoneRules is null");
        List<PiiDetector> chosen = new ArrayList<>();
        EnumSet<PiiKind> ordered = EnumSet.noneOf(PiiKind.class);
        ordered.addAll(kinds);
        for (PiiKind kind : ordered) {
            chosen.add(detector(kind, phoneRegion, addressScope, phoneRules));
        }
        this.detectors = List.copyOf(chosen);
    }

    /** Every kind, public IP addresses, {@link PhoneRules#VERSION_1}. */
    public static PiiScanner allKinds(String phoneRegion) {
        return allKinds(phoneRegion, PhoneRules.VERSION_1);
    }

    /** Every kind, public IP addresses, phone numbers by {@code rules}. */
    public static PiiScanner allKinds(String phoneRegion, PhoneRules rules) {
        return new PiiScanner(EnumSet.allOf(PiiKind.class), phoneRegion, AddressScope.PUBLIC, rules);
    }

    private static PiiDetector detector(PiiKind kind, String phoneRegion, AddressScope addressScope, PhoneRules phoneRules) {
        switch (kind) {
            case EMAIL:
                return new EmailDetector();
            case PHONE:
                return new PhoneDetector(phoneRegion, phoneRules);
            case IP_ADDRESS:
                return new IpAddressDetector(addressScope);
            case CREDIT_CARD:
                return new CreditCardDetector();
            case IBAN:
                return new IbanDetector();
            case US_SSN:
                return new UsSsnDetector();
            case SECRET:
                return new SecretDetector();
            default:
                throw new IllegalArgumentException("no detector for " + kind);
        }
    }

    /** The non-overlapping matches in {@code text}, in text order. */
    public List<PiiMatch> scan(String text) {
        requireNonNull(text, "text is null");
        List<PiiMatch> candidates = new ArrayList<>();
        for (PiiDetector detector : detectors) {
            detector.find(text, candidates);
        }
        if (candidates.size() <= 1) {
            return candidates;
        }
        candidates.sort(PRIORITY);
        TreeMap<Integer, PiiMatch> chosen = new TreeMap<>();
        for (PiiMatch candidate : candidates) {
            var before = chosen.floorEntry(candidate.start());
            if (before != null && before.getValue().overlaps(candidate)) {
                continue;
            }
            var after = chosen.ceilingEntry(candidate.start());
            if (after != null && after.getValue().overlaps(candidate)) {
                continue;
            }
            chosen.put(candidate.start(), candidate);
        }
        return List.copyOf(chosen.values());
    }
}
