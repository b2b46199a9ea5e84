package io.kiln.transform.image;

import static java.util.Objects.requireNonNull;

/** Why an image does not become a row: a reject reason code and a detail for people. */
public final class ImageRejection extends Exception {
    public static final String CORRUPT = "corrupt-image";
    public static final String TOO_MANY_PIXELS = "too-many-pixels";
    public static final String UNSUPPORTED = "unsupported-format";

    private final String reason;

    public ImageRejection(String reason, String detail) {
        super(requireNonNull(detail, "detail is null"), null, false, false);
        this.reason = requireNonNull(reason, "reason is null");
    }

    public String reason() {
        return reason;
    }

    public String detail() {
        return getMessage();
    }
}
