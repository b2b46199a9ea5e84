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
}
