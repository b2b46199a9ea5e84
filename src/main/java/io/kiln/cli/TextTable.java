package io.kiln.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** A plain-text table with a header row; columns marked numeric are right-aligned. */
final class TextTable
{
    private static final String GAP = "  ";

    private final List<String> headers;
    private final boolean[] numeric;
    private final List<List<String>> rows = new ArrayList<>();

    private TextTable(List<String> headers, boolean[] numeric)
    {
        this.headers = List.copyOf(headers);
        this.numeric = numeric.clone();
    }

    /** Headers ending in '>' are numeric columns; the '>' is not printed. */
    static TextTable withHeaders(String... headers)
    {
        List<String> names = new ArrayList<>();
        boolean[] numeric = new boolean[headers.length];
        for (int i = 0; i < headers.length; i++) {
            numeric[i] = headers[i].endsWith(">");
            names.add(numeric[i] ? headers[i].substring(0, headers[i].length() - 1) : headers[i]);
        }
        return new TextTable(names, numeric);
    }

    TextTable row(Object... cells)
    {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("Cannot add a row of %d cells to a table of %d columns".formatted(cells.length, headers.size()));
        }
        rows.add(Arrays.stream(cells).map(cell -> cell == null ? "-" : cell.toString()).toList());
        return this;
    }

    String render()
    {
        int[] widths = new int[headers.size()];
        for (int column = 0; column < widths.length; column++) {
            widths[column] = headers.get(column).length();
            for (List<String> row : rows) {
                widths[column] = Math.max(widths[column], row.get(column).length());
            }
        }
        StringBuilder text = new StringBuilder();
        appendRow(text, headers, widths);
        for (List<String> row : rows) {
            appendRow(text, row, widths);
        }
        return text.toString();
    }

    private void appendRow(StringBuilder text, List<String> cells, int[] widths)
    {
        requireNonNull(cells, "cells is null");
        StringBuilder line = new StringBuilder();
        for (int column = 0; column < cells.size(); column++) {
            if (column > 0) {
                line.append(GAP);
            }
            String cell = cells.get(column);
            String padding = " ".repeat(widths[column] - cell.length());
            line.append(numeric[column] ? padding + cell : cell + padding);
        }
        text.append(line.toString().stripTrailing()).append(System.lineSeparator());
    }
}
