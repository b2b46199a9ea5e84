package io.kiln.transform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Helpers for steps to read and check their parameters. */
public final class StepParameters {
    private StepParameters() {}

    public static void requireOnly(Map<String, Object> parameters, Set<String> known) {
        for (String name : parameters.keySet()) {
            if (!known.contains(name)) {
                throw new InvalidStepParameterException(name, known.isEmpty()
                        ? "unknown parameter: this step takes no parameters"
                        : "unknown parameter; known parameters are " + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    /** A parameter that is a JSON object, with its keys as text. */
    public static Map<String, Object> object(Map<?, ?> value) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>();
        value.forEach((key, element) -> copy.put(String.valueOf(key), element));
        return copy;
    }

    /** As {@link #requireOnly}, for the keys of the object parameter {@code field}: an unknown key is named {@code field.key}. */
    public static void requireOnly(Map<String, Object> object, String field, Set<String> known) {
        for (String name : object.keySet()) {
            if (!known.contains(name)) {
                throw new InvalidStepParameterException(field + "." + name, "unknown; the keys here are " + String.join(", ", new java.util.TreeSet<>(known)));
            }
        }
    }

    public static String oneOf(Map<String, Object> parameters, String name, String defaultValue, Set<String> allowed) {
        Object value = parameters.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof String text) || !allowed.contains(text)) {
            throw new InvalidStepParameterException(name, "must be one of " + String.join(", ", allowed.stream().sorted().toList()) + ", was " + value);
        }
        return text;
    }

    /** The column a step reads: parameter {@code name}, by default {@link Row#TEXT}. */
    public static String column(Map<String, Object> parameters, String name) {
        return column(parameters, name, Row.TEXT);
    }

    /** The column a step reads: parameter {@code name}, by default {@code defaultColumn}. */
    public static String column(Map<String, Object> parameters, String name, String defaultColumn) {
        Object value = parameters.get(name);
        if (value == null) {
            return defaultColumn;
        }
        if (!(value instanceof String column) || !Column.isValidName(column)) {
            throw new InvalidStepParameterException(name, "must name a column (lower snake case), was " + value);
        }
        return column;
    }

    // typed reads of parameters as they come from JSON (Boolean, Number, String, List)

    public static boolean flag(Map<String, Object> parameters, String name, boolean defaultValue) {
        Object value = parameters.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof Boolean flag)) {
            throw new InvalidStepParameterException(name, "must be true or false, was " + value);
        }
        return flag;
    }

    public static int integer(Map<String, Object> parameters, String name, int defaultValue, int min, int max) {
        Object value = parameters.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
            throw new InvalidStepParameterException(name, "must be a whole number, was " + value);
        }
        long whole = number.longValue();
        if (whole < min || whole > max) {
            throw new InvalidStepParameterException(name, "must be between " + min + " and " + max + ", was " + value);
        }
        return (int) whole;
    }

    public static double number(Map<String, Object> parameters, String name, double defaultValue, double min, double max) {
        Object value = parameters.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof Number number) || Double.isNaN(number.doubleValue())) {
            throw new InvalidStepParameterException(name, "must be a number, was " + value);
        }
        double result = number.doubleValue();
        if (result < min || result > max) {
            throw new InvalidStepParameterException(name, "must be between " + min + " and " + max + ", was " + value);
        }
        return result;
    }

    public static List<String> strings(Map<String, Object> parameters, String name, List<String> defaultValue) {
        Object value = parameters.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof List<?> list)) {
            throw new InvalidStepParameterException(name, "must be a list of strings, was " + value);
        }
        List<String> result = new ArrayList<>(list.size());
        for (Object element : list) {
            if (!(element instanceof String text)) {
                throw new InvalidStepParameterException(name, "must be a list of strings, has " + element);
            }
            result.add(text);
        }
        return List.copyOf(result);
    }

    /** A model file a step loads: its bytes and their sha256 (hex). */
    public record ModelFile(byte[] bytes, String sha256) {}

    /**
     * Reads the model file that parameter {@code modelPath} names and checks it against the optional
     * pin {@code modelSha256}; {@code required} ends the message when the path is missing
     * ({@code ": the .onnx file of the image encoder"}). The job binder has already refused a path
     * outside the source roots.
     *
     * @throws InvalidStepParameterException on {@code modelPath} or {@code modelSha256}
     */
    public static ModelFile modelFile(Map<String, Object> parameters, String required) {
        if (!(parameters.get("modelPath") instanceof String pathText) || pathText.isBlank()) {
            throw new InvalidStepParameterException("modelPath", "is required" + required);
        }
        Object pinned = parameters.get("modelSha256");
        if (pinned != null && !(pinned instanceof String)) {
            throw new InvalidStepParameterException("modelSha256", "must be the sha256 of the model file, in hex, was " + pinned);
        }
        byte[] bytes;
        try {
            bytes = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(pathText));
        }
        catch (java.nio.file.InvalidPathException e) {
            throw new InvalidStepParameterException("modelPath", "is not a valid path: " + pathText);
        }
        catch (java.io.IOException e) {
            throw new InvalidStepParameterException("modelPath", "the model file " + pathText + " does not exist or cannot be read");
        }
        String sha256 = Values.sha256(java.nio.ByteBuffer.wrap(bytes));
        if (pinned != null && !sha256.equalsIgnoreCase((String) pinned)) {
            throw new InvalidStepParameterException("modelSha256", "the model file's sha256 is " + sha256 + ", not the pinned " + pinned);
        }
        return new ModelFile(bytes, sha256);
    }
}
