package io.kiln.job;

import java.util.Map;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/** Where a job reads from: a {@code file:} URI (file, directory or glob), its format and field mapping. */
public record SourceSpec(
        @NotBlank(message = "is required") String uri,
        @NotBlank(message = "is required") @Pattern(regexp = "jsonl|text|document|auto", message = "must be one of jsonl, text, document, auto") String format,
        Map<String, String> fields) {
    public SourceSpec {
        fields = fields == null ? Map.of() : Map.copyOf(fields);
    }
}
