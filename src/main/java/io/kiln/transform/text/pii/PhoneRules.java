package io.kiln.transform.text.pii;

/**
 * Which rules the phone detector follows. A step version pins one set: a new set changes what is
 * redacted, so it comes with a new step version, and the old set stays as it is for the tables
 * already written with it.
 */
public enum PhoneRules {
    /**
     * The rules of {@code pii-redact@1}: a number glued to letters ({@code to415-555-0132},
     * {@code 415-555-0132Thanks}) or to a word by a dot, dash or slash ({@code Tel.415-555-0132})
     * is refused, and a number followed by an extension ({@code 415-555-0133 x101}) is not found
     * at all.
     */
    VERSION_1,

    /**
     * The rules of version 1, plus the shapes of phone numbers in mail:
     * <ul>
     * <li>an extension right after the number, on the same line, is part of the match: a marker
     * ({@code x}, {@code ext}, {@code ext.}, {@code extension} or {@code #}, any case, after at most
     * three spaces and an optional comma), at most three spaces, dots or colons, then 1-6 digits
     * that are not glued to more letters or digits ({@code 408.555.0136 x 4138},
     * {@code (949) 555-0150 ext. 213}, {@code 415-555-0133 #204}). The normalized value is then the
     * E.164 number, {@code ;ext=} and the extension digits, as in RFC 3966:
     * {@code +14085550136;ext=4138}. A {@code #} and digits anywhere else is no extension
     * ({@code order #4155550132});</li>
     * <li>a number laid out as a phone number may be glued to a word of two or more letters on
     * either side ({@code to1-415-555-0100}, {@code 415-555-0132Thanks}), or be followed by a dot
     * and a letter ({@code 415-555-0132.Thanks}), or follow a phone word and a dot, dash or slash
     * ({@code Tel.415-555-0132}, {@code Phone-415-555-0132}). Still refused: a single glued letter
     * or a version word ({@code v1.415.555.0132}, {@code x4155550132}, {@code rev415-555-0132}), a
     * glued word that is itself part of a longer token ({@code ORD-415-555-0132-7}), and a dot,
     * dash or slash between the number and a word that is not a phone word ({@code x.415.555.0132}).</li>
     * </ul>
     */
    VERSION_2
}
