package io.kiln.catalog;

import static java.util.Objects.requireNonNull;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Passwords inside JDBC URIs: the user-info's ({@code jdbc:postgresql://user:password@host/db}) and
 * parameters named like one ({@code ?password=...}, {@code ;sslpassword=...}). Every place that
 * prints or serves a catalog URI goes through {@link #redacted}.
 */
public final class JdbcUris {
    public static final String REDACTED = "***";

    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("([?&;]\\s*[\\w.-]*(?:password|passwd|pwd|secret|token)\\s*=)([^&;#]*)", Pattern.CASE_INSENSITIVE);

    private JdbcUris() {}

    /** {@code uri} with each password it carries written as {@value #REDACTED}. */
    public static String redacted(String uri) {
        return withPasswordReplaced(uri, REDACTED);
    }

    /** {@code uri} with each password it carries replaced by {@code replacement}. */
    public static String withPasswordReplaced(String uri, String replacement) {
        requireNonNull(uri, "uri is null");
        requireNonNull(replacement, "replacement is null");
        String withoutUserInfoPassword = replaceUserInfoPassword(uri, replacement);
        Matcher parameter = PASSWORD_PARAMETER.matcher(withoutUserInfoPassword);
        return parameter.replaceAll(match -> Matcher.quoteReplacement(match.group(1) + replacement));
    }

    /** The authority is what follows {@code //} up to the path, query or fragment; its password lies between the first ':' and the last '@'. */
    private static String replaceUserInfoPassword(String uri, String replacement) {
        int start = uri.indexOf("//");
        if (start < 0) {
            return uri;
        }
        int authorityStart = start + 2;
        int authorityEnd = uri.length();
        for (int i = authorityStart; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/' || c == '?' || c == '#' || c == ';') {
                authorityEnd = i;
                break;
            }
        }
        String authority = uri.substring(authorityStart, authorityEnd);
        int at = authority.lastIndexOf('@');
        int colon = authority.indexOf(':');
        if (at < 0 || colon < 0 || colon > at) {
            return uri;
        }
        return uri.substring(0, authorityStart + colon + 1) + replacement + uri.substring(authorityStart + at);
    }
}
