package io.kiln.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kiln.transform.DataType;

class TypedValuesTest {
    @Test
    void numbersAreDecimalTextOnly() {
        for (String number : List.of("0", "-1", "+2", "1.", ".5", "1.5e3", "1E-3", "-0.0", "123456789012345678901234567890")) {
            assertThat(TypedValues.isNumber(number)).as(number).isTrue();
        }
        for (String text : List.of("", "-", ".", "1e", "1e+", "0x10", "1d", "1f", "1 ", " 1", "1,5", "NaN", "--1", "1..2")) {
            assertThat(TypedValues.isNumber(text)).as(text).isFalse();
        }
    }

    @Test
    void textFieldsBecomeTypedValuesOrSayWhyNot() throws ValueException {
        assertThat(TypedValues.fromText(" 12 ", DataType.INT, "n")).isEqualTo(12);
        assertThat(TypedValues.fromText("1e3", DataType.DOUBLE, "x")).isEqualTo(1000.0);
        assertThat((Double) TypedValues.fromText("-Infinity", DataType.DOUBLE, "x")).isInfinite();
        assertThat((Double) TypedValues.fromText("nan", DataType.DOUBLE, "x")).isNaN();
        assertThat(TypedValues.fromText("12.5", new DataType.Decimal(5, 2), "p")).isEqualTo(new BigDecimal("12.50"));
        assertThat(TypedValues.fromText("12.500", new DataType.Decimal(5, 2), "p")).isEqualTo(new BigDecimal("12.50"));
        assertThat(TypedValues.fromText("", DataType.INT, "n")).isNull();
        assertThat(TypedValues.fromText("", DataType.STRING, "s")).isEqualTo("");
        assertThatThrownBy(() -> TypedValues.fromText("1d", DataType.DOUBLE, "x")).hasMessage("column 'x': '1d' is not a double");
        assertThatThrownBy(() -> TypedValues.fromText("1234.5", new DataType.Decimal(5, 2), "p"))
                .hasMessage("column 'p': '1234.5' is not a decimal(5,2) (more than 5 digits)");
        assertThatThrownBy(() -> TypedValues.fromText("2147483648", DataType.INT, "n")).hasMessage("column 'n': '2147483648' is not an int");
    }
}
