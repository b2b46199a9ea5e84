package io.kiln.transform.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.kiln.transform.InvalidStepParameterException;

/** Typed reads of step parameters as they come from JSON (Boolean, Number, String, List). */
final class ParameterValues {
    private ParameterValues() {}

    static boolean flag(Map<String, Object> parameters, String name, boolean defaultValue) {
        Object value = parameters.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof Boolean flag)) {
            throw new InvalidStepParameterException(name, "must be true or false, was " + value);
        }
        return flag;
    }

    static int integer(Map<String, Object> parameters, String name, int defaultValue, int min, int max) {
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

    static double number(Map<String, Object> parameters, String name, double defaultValue, double min, double max) {
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

    static List<String> strings(Map<String, Object> parameters, String name, List<String> defaultValue) {
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
