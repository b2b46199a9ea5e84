package io.kiln.transform.text.pii;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * E-mail addresses: {@code local@domain.tld} with an ASCII local part ({@code A-Z a-z 0-9 . _ % + - '}),
 * at least two domain labels and a top-level label of letters (or an {@code xn--} one). Found by
 * scanning out from each {@code @}, not by one big regex. File names that look like addresses
 * ({@code icon@2x.png}) are not addresses: a top-level label that is a common file extension is
 * refused.
 */
final class EmailDetector implements PiiDetector {
    private static final Set<String> FILE_EXTENSIONS = Set.of(
            "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "css", "js", "json", "html", "htm",
            "txt", "yaml", "yml", "toml", "lock", "log", "tar", "gz", "xz", "bz2", "deb", "rpm", "jar", "class");

    @Override
    public PiiKind kind() {
        return PiiKind.EMAIL;
    }

    @Override
    public void find(String text, List<PiiMatch> matches) {
        int length = text.length();
        int searchFrom = 0;
        while (true) {
            int at = text.indexOf('@', searchFrom);
            if (at < 0) {
                return;
            }
            searchFrom = at + 1;
            int start = at;
            while (start > 0 && isLocalChar(text.charAt(start - 1))) {
                start--;
            }
            while (start < at && ".'+-".indexOf(text.charAt(start)) >= 0) {
                start++;
            }
            if (start == at || at - start > 64) {
                continue;
            }
            int end = domainEnd(text, at + 1, length);
            if (end < 0) {
                continue;
            }
            matches.add(new PiiMatch(PiiKind.EMAIL, start, end, text.substring(start, end).toLowerCase(Locale.ROOT)));
            searchFrom = end;
        }
    }

    /** The end of a valid domain starting at {@code from}, or -1. */
    private static int domainEnd(String text, int from, int length) {
        int labels = 0;
        int position = from;
        int end = -1;
        int lastLabelStart = -1;
        while (position < length) {
            int labelStart = position;
            while (position < length && isLabelChar(text.charAt(position))) {
                position++;
            }
            while (position > labelStart && text.charAt(position - 1) == '-') {
                position--; // "x@example.org-->": the arrow is not part of the domain
            }
            if (position == labelStart || position - labelStart > 63 || text.charAt(labelStart) == '-' || text.charAt(position - 1) == '-') {
                break;
            }
            labels++;
            end = position;
            lastLabelStart = labelStart;
            if (position + 1 < length && text.charAt(position) == '.' && isLabelChar(text.charAt(position + 1))) {
                position++;
                continue;
            }
            break;
        }
        if (labels < 2) {
            // trailing labels may have been refused; a single label is no domain
            return -1;
        }
        String topLevel = text.substring(lastLabelStart, end).toLowerCase(Locale.ROOT);
        boolean letters = topLevel.length() >= 2 && topLevel.chars().allMatch(c -> c >= 'a' && c <= 'z');
        boolean internationalized = topLevel.startsWith("xn--") && topLevel.length() > 5;
        if (!(letters || internationalized) || FILE_EXTENSIONS.contains(topLevel)) {
            return -1;
        }
        if (end < length && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
            return -1;
        }
        return end;
    }

    private static boolean isLocalChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '\'';
    }

    private static boolean isLabelChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    }
}
