package io.kiln.transform.text.pii;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * IPv4 and IPv6 addresses.
 *
 * <p>IPv4: four decimal octets, each at most 255 and without leading zeros. Version strings look
 * the same ({@code 1.2.3.4}), so a dotted quad is refused when it is glued to letters or to more
 * dotted numbers ({@code v1.2.3.4}, {@code 1.2.3.4.5}, {@code 2.6.32.5-amd64}, {@code 1.2.3.4~rc1}),
 * or when one of the two words before it says it is a version ("version", "release", "linux",
 * "kernel", "update", "section", "policy"... see {@link #VERSION_WORDS}), or it follows a comparison ({@code >= 1.2.99.3}),
 * or it is joined by a short word ("to", "and", a comma...) to a number already taken for a version
 * ({@code 1.2.3 to 1.2.99.4}), or when the first three or the last three numbers are single digits
 * ({@code 2.6.8.1}, {@code 2.2.2.39}, section {@code 36.2.1.3}; the few real addresses of that
 * shape, like {@code 8.8.4.4}, are public services, not people). Addresses that identify no one are always left
 * alone: {@code 0.0.0.0}, loopback {@code 127.x.x.x}, broadcast and netmasks ({@code 255.255.255.0}).
 * With {@link PiiScanner.AddressScope#PUBLIC} (the default) so are the addresses that are not
 * routed on the internet, which fill documentation and configuration examples: private
 * ({@code 10/8}, {@code 172.16/12}, {@code 192.168/16}), shared {@code 100.64/10}, link-local,
 * documentation ({@code 192.0.2/24}, {@code 198.51.100/24}, {@code 203.0.113/24}), benchmarking
 * {@code 198.18/15}, multicast and reserved; for IPv6 everything outside global unicast
 * {@code 2000::/3}, and the documentation prefix {@code 2001:db8::/32}. IPv6 outside unicast
 * ranges ({@code 2000::/3}, {@code fc00::/7}, {@code fe80::/10}, mapped IPv4) is never taken: it keeps
 * words like {@code cafe::1} out.
 *
 * <p>IPv6: a run of hex groups and colons, parsed properly (eight groups of 1-4 hex digits, or
 * fewer with one {@code ::}, optionally ending in an IPv4 address). Refused: times
 * ({@code 12:30:45}, too few groups), MAC addresses and colon-separated hashes (six groups, or
 * eight groups of exactly two digits), eight single-digit groups ({@code 1:2:3:4:5:6:7:8}),
 * {@code ::} and {@code ::1}, and a {@code ::} form with fewer than two groups.
 */
final class IpAddressDetector implements PiiDetector {
    static final Set<String> VERSION_WORDS = Set.of(
            "version", "versions", "ver", "v", "release", "released", "releases", "rel", "linux", "kernel", "firmware", "fw",
            "rev", "revision", "build", "bump", "bumped", "tag", "tagged", "patch", "update", "updated", "upgrade", "upgraded",
            "upstream", "dep", "depends", "python", "perl", "ruby", "java", "jdk", "gcc", "glibc", "openssl", "policy", "standards",
            "section", "sections", "chapter", "chapters", "clause", "figure", "table", "appendix", "rfc", "iso", "posix", "sdm");

    private static final Set<String> CONNECTORS = Set.of(",", "/", "-", "\u2013", "->", "\u2192", "to", "and", "or", "vs", "vs.", "through", "than", "from");

    private final PiiScanner.AddressScope scope;

    IpAddressDetector(PiiScanner.AddressScope scope) {
        this.scope = java.util.Objects.requireNonNull(scope, "scope is null");
    }

    @Override
    public PiiKind kind() {
        return PiiKind.IP_ADDRESS;
    }

    @Override
    public void find(String text, List<PiiMatch> matches) {
        if (text.indexOf('.') >= 0) {
            findIpv4(text, matches);
        }
        if (text.indexOf(':') >= 0) {
            findIpv6(text, matches);
        }
    }

    private void findIpv4(String text, List<PiiMatch> matches) {
        int[] octets = new int[4];
        int lastVersionEnd = -1;
        // an address has a dot at most three digits in: find dots, then look back for the start
        int from = 0;
        while (true) {
            int dot = text.indexOf('.', from);
            if (dot < 0) {
                return;
            }
            from = dot + 1;
            int i = dot;
            while (i > 0 && dot - i < 4 && Character.isDigit(text.charAt(i - 1))) {
                i--;
            }
            if (i == dot || dot - i > 3 || (i > 0 && isIpv4Glue(text.charAt(i - 1)))) {
                continue;
            }
            int end = dottedQuad(text, i, octets);
            if (end < 0) {
                int tokenEnd = dottedNumberEnd(text, i);
                if (dots(text, i, tokenEnd) >= 2) {
                    lastVersionEnd = tokenEnd; // 1.2.3, 1.2.3.4.5: a version
                }
                from = Math.max(from, tokenEnd);
                continue;
            }
            boolean version = looksNumbered(octets) || gluedToVersion(text, i, end) || afterVersionWord(text, i)
                    || afterComparison(text, i) || (lastVersionEnd >= 0 && connectedTo(text, lastVersionEnd, i));
            if (version) {
                lastVersionEnd = end;
            }
            else if (!identifiesNoOne(octets) && (scope == PiiScanner.AddressScope.ALL || isPublic(octets))) {
                matches.add(new PiiMatch(PiiKind.IP_ADDRESS, i, end, octets[0] + "." + octets[1] + "." + octets[2] + "." + octets[3]));
            }
            from = Math.max(from, end);
        }
    }

    private static int dots(String text, int start, int end) {
        int dots = 0;
        for (int i = start; i < end; i++) {
            if (text.charAt(i) == '.') {
                dots++;
            }
        }
        return dots;
    }

    private static int dottedNumberEnd(String text, int start) {
        int end = start;
        while (end < text.length() && (Character.isDigit(text.charAt(end)) || (text.charAt(end) == '.' && end + 1 < text.length() && Character.isDigit(text.charAt(end + 1))))) {
            end++;
        }
        return end;
    }

    /** {@code >= 1.2.99.3}, {@code (<< 4.8.6.1)}: a version in a dependency. */
    private static boolean afterComparison(String text, int start) {
        int position = start;
        while (position > 0 && start - position < 3 && (text.charAt(position - 1) == ' ' || text.charAt(position - 1) == '(')) {
            position--;
        }
        return position > 0 && "<>=".indexOf(text.charAt(position - 1)) >= 0;
    }

    /** "1.2.99.2 to 1.2.99.4", "4.8.6.1, 4.8.6.2": the second of two numbers joined by a short word is what the first was. */
    private static boolean connectedTo(String text, int previousEnd, int start) {
        if (start - previousEnd > 12) {
            return false;
        }
        String between = text.substring(previousEnd, start).strip().toLowerCase(Locale.ROOT);
        return CONNECTORS.contains(between);
    }

    private static boolean isIpv4Glue(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '.';
    }

    /** The end of a dotted quad at {@code start} (octets <= 255, no leading zeros, not followed by a word character), or -1. */
    private static int dottedQuad(String text, int start, int[] octets) {
        int length = text.length();
        int position = start;
        for (int part = 0; part < 4; part++) {
            if (part > 0) {
                if (position >= length || text.charAt(position) != '.') {
                    return -1;
                }
                position++;
            }
            int digitsStart = position;
            int value = 0;
            while (position < length && position - digitsStart < 4 && Character.isDigit(text.charAt(position))) {
                value = value * 10 + (text.charAt(position) - '0');
                position++;
            }
            int digits = position - digitsStart;
            if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && text.charAt(digitsStart) == '0')) {
                return -1;
            }
            octets[part] = value;
        }
        if (position < length && (Character.isLetterOrDigit(text.charAt(position)) || text.charAt(position) == '_')) {
            return -1;
        }
        return position;
    }

    private static boolean identifiesNoOne(int[] octets) {
        if (octets[0] == 0 || octets[0] == 127) {
            return true;
        }
        if (octets[0] != 255) {
            return false;
        }
        long mask = ((long) octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3];
        long inverted = ~mask & 0xFFFFFFFFL;
        return (inverted & (inverted + 1)) == 0; // contiguous ones: a netmask (or the broadcast address)
    }

    /**
     * {@code 2.6.8.1}, {@code 2.2.2.39}, {@code 36.2.1.3}: the first three or the last three numbers
     * single digits, the way sections and versions are numbered; addresses of that shape are rare,
     * and those in use ({@code 8.8.4.4}, {@code 1.1.1.1}) are public services, not people.
     */
    private static boolean looksNumbered(int[] octets) {
        boolean firstThree = octets[0] > 0 && octets[0] < 10 && octets[1] < 10 && octets[2] < 10;
        boolean lastThree = octets[1] > 0 && octets[1] < 10 && octets[2] > 0 && octets[2] < 10 && octets[3] > 0 && octets[3] < 10;
        return firstThree || lastThree;
    }

    /** Routed on the internet: not private, shared, link-local, documentation, benchmarking, multicast or reserved. */
    static boolean isPublic(int[] octets) {
        int a = octets[0];
        int b = octets[1];
        int c = octets[2];
        return !(a == 10 || (a == 100 && b >= 64 && b < 128) || (a == 169 && b == 254) || (a == 172 && b >= 16 && b < 32)
                || (a == 192 && b == 0 && (c == 0 || c == 2)) || (a == 192 && b == 168) || (a == 198 && (b == 18 || b == 19))
                || (a == 198 && b == 51 && c == 100) || (a == 203 && b == 0 && c == 113) || a >= 224);
    }

    private static boolean gluedToVersion(String text, int start, int end) {
        int length = text.length();
        if (end + 1 < length) {
            char next = text.charAt(end);
            char afterNext = text.charAt(end + 1);
            if (next == '.' && Character.isDigit(afterNext)) {
                return true;
            }
            if ((next == '-' || next == '~' || next == '+') && Character.isLetterOrDigit(afterNext)
                    && !(next == '-' && dottedQuad(text, end + 1, new int[4]) > 0)) {
                return true;
            }
        }
        if (start >= 2 && ((text.charAt(start - 1) == '-' && Character.isLetterOrDigit(text.charAt(start - 2)))
                || (text.charAt(start - 1) == ':' && Character.isDigit(text.charAt(start - 2))))) {
            // foo-1.2.3.4, 1:1.2.3.4-1 (an epoch); a range 10.0.0.1-10.0.0.9 is fine
            return !(text.charAt(start - 1) == '-' && isIpv4Before(text, start - 1));
        }
        return false;
    }

    private static boolean isIpv4Before(String text, int end) {
        int start = end;
        while (start > 0 && (Character.isDigit(text.charAt(start - 1)) || text.charAt(start - 1) == '.') && end - start < 15) {
            start--;
        }
        return dottedQuad(text, start, new int[4]) == end;
    }

    /**
     * One of the two words before {@code start} says that what follows is a version or a numbered
     * section; a hyphenated word counts by its parts ({@code util-linux-ng}, {@code Standards-Version}).
     * Only white space and {@code : ( [ = # " '} may stand between them: a full stop, a comma or a
     * dash ends the look back ("New upstream release. - 60.137.94.251").
     */
    static boolean afterVersionWord(String text, int start) {
        int position = start;
        for (int word = 0; word < 2; word++) {
            int gap = position;
            while (position > 0 && isWordGap(text.charAt(position - 1)) && gap - position < 16) {
                position--;
            }
            int end = position;
            while (position > 0 && isWordChar(text.charAt(position - 1)) && end - position < 32) {
                position--;
            }
            if (end == position || (position > 0 && isWordChar(text.charAt(position - 1)))) {
                return false;
            }
            for (String part : text.substring(position, end).split("[-_]")) {
                if (VERSION_WORDS.contains(part.toLowerCase(Locale.ROOT))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '-' || c == '_';
    }

    private static boolean isWordGap(char c) {
        return Character.isWhitespace(c) || c == ':' || c == '(' || c == '[' || c == '=' || c == '#' || c == '"' || c == '\'';
    }

    private void findIpv6(String text, List<PiiMatch> matches) {
        int length = text.length();
        int from = 0;
        while (true) {
            int colon = text.indexOf(':', from);
            if (colon < 0) {
                return;
            }
            int start = colon;
            while (start > 0 && isIpv6Char(text.charAt(start - 1)) && colon - start < 5) {
                start--;
            }
            int end = colon;
            int colons = 0;
            while (end < length && (isIpv6Char(text.charAt(end)) || text.charAt(end) == ':' || text.charAt(end) == '.') && end - start < 46) {
                colons += text.charAt(end) == ':' ? 1 : 0;
                end++;
            }
            while (end > colon && text.charAt(end - 1) == '.') {
                end--; // a full stop after the address
            }
            from = Math.max(end, colon + 1);
            boolean gluedAtEnd = end < length && (isIpv6Glue(text.charAt(end)) && text.charAt(end) != '.'
                    || text.charAt(end) == '.' && end + 1 < length && Character.isLetterOrDigit(text.charAt(end + 1)));
            if (colons < 2 || (start > 0 && isIpv6Glue(text.charAt(start - 1))) || gluedAtEnd) {
                continue;
            }
            String candidate = text.substring(start, end);
            if (candidate.endsWith(":") && !candidate.endsWith("::")) {
                continue;
            }
            String canonical = canonicalIpv6(candidate);
            if (canonical != null && (scope == PiiScanner.AddressScope.ALL ? isUnicastIpv6(canonical) : isPublicIpv6(canonical))) {
                matches.add(new PiiMatch(PiiKind.IP_ADDRESS, start, end, canonical));
            }
        }
    }

    private static boolean isIpv6Char(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isIpv6Glue(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == ':' || c == '.';
    }

    /** Global unicast ({@code 2000::/3}) outside the documentation prefix, or a mapped public IPv4 address. */
    private static boolean isPublicIpv6(String canonical) {
        String[] groups = canonical.split(":");
        int first = Integer.parseInt(groups[0], 16);
        int second = Integer.parseInt(groups[1], 16);
        if (canonical.startsWith("0:0:0:0:0:ffff:")) {
            int high = Integer.parseInt(groups[6], 16);
            int low = Integer.parseInt(groups[7], 16);
            return isPublic(new int[] {high >> 8, high & 0xFF, low >> 8, low & 0xFF});
        }
        return (first & 0xE000) == 0x2000 && !(first == 0x2001 && second == 0xDB8);
    }

    /** Unicast of any scope: global, unique local {@code fc00::/7}, link-local {@code fe80::/10}, or a mapped IPv4 address. */
    private static boolean isUnicastIpv6(String canonical) {
        int first = Integer.parseInt(canonical.substring(0, canonical.indexOf(':')), 16);
        return (first & 0xE000) == 0x2000 || (first & 0xFE00) == 0xFC00 || (first & 0xFFC0) == 0xFE80 || canonical.startsWith("0:0:0:0:0:ffff:");
    }

    /** The address as eight lower-case groups without leading zeros, or null when {@code candidate} is no address we redact. */
    static String canonicalIpv6(String candidate) {
        String hexPart = candidate;
        int[] embedded = null;
        int lastColon = candidate.lastIndexOf(':');
        if (candidate.indexOf('.', lastColon) >= 0) {
            String[] parts = candidate.substring(lastColon + 1).split("\\.", -1);
            if (parts.length != 4) {
                return null;
            }
            embedded = new int[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3 || (parts[i].length() > 1 && parts[i].charAt(0) == '0')
                        || !parts[i].chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return null; // "::aa.bb.cc.dd" in a man page: hex letters where the IPv4 part belongs
                }
                embedded[i] = Integer.parseInt(parts[i]);
                if (embedded[i] > 255) {
                    return null;
                }
            }
            hexPart = candidate.substring(0, lastColon + 1) + "0:0"; // stand-in for the two groups the IPv4 part fills
            if (hexPart.endsWith(":::0:0")) {
                return null;
            }
        }
        int doubleColon = hexPart.indexOf("::");
        if (doubleColon >= 0 && hexPart.indexOf("::", doubleColon + 1) >= 0) {
            return null;
        }
        String[] head;
        String[] tail;
        if (doubleColon >= 0) {
            head = groups(hexPart.substring(0, doubleColon));
            tail = groups(hexPart.substring(doubleColon + 2));
            if (head == null || tail == null || head.length + tail.length > 7) {
                return null;
            }
            int explicit = head.length + tail.length - (embedded != null ? 1 : 0);
            if (explicit < 2) {
                return null; // ::, ::1, fe80::, a::b-like words
            }
        }
        else {
            head = groups(hexPart);
            tail = new String[0];
            if (head == null || head.length != 8) {
                return null;
            }
            boolean allTwoDigits = true;
            boolean allOneDigit = true;
            for (String group : head) {
                allTwoDigits &= group.length() == 2;
                allOneDigit &= group.length() == 1;
            }
            if ((allTwoDigits || allOneDigit) && embedded == null) {
                return null; // a fingerprint, a byte dump or a placeholder, not an address
            }
        }
        int[] values = new int[8];
        for (int i = 0; i < head.length; i++) {
            values[i] = Integer.parseInt(head[i], 16);
        }
        for (int i = 0; i < tail.length; i++) {
            values[8 - tail.length + i] = Integer.parseInt(tail[i], 16);
        }
        if (embedded != null) {
            values[6] = embedded[0] << 8 | embedded[1];
            values[7] = embedded[2] << 8 | embedded[3];
        }
        StringBuilder canonical = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i > 0) {
                canonical.append(':');
            }
            canonical.append(Integer.toHexString(values[i]));
        }
        return canonical.toString();
    }

    private static String[] groups(String part) {
        if (part.isEmpty()) {
            return new String[0];
        }
        String[] groups = part.split(":", -1);
        for (String group : groups) {
            if (group.isEmpty() || group.length() > 4 || !group.chars().allMatch(c -> isIpv6Char((char) c))) {
                return null;
            }
        }
        return groups;
    }
}
