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

    @Test
    void aDecimalFitsItsPrecisionUpToTheLastDigit() throws ValueException {
        DataType.Decimal five = new DataType.Decimal(5, 2);
        for (String fits : List.of("999.99", "-999.99", "0", "0.00", "-0.01", "0.001e1")) {
            assertThat(TypedValues.decimal(new BigDecimal(fits), five, "p", fits)).as(fits).isEqualByComparingTo(fits);
        }
        for (String over : List.of("1000", "-1000.00", "99999.9")) {
            assertThatThrownBy(() -> TypedValues.decimal(new BigDecimal(over), five, "p", over)).as(over)
                    .hasMessage("column 'p': " + ValueException.shown(over) + " is not a decimal(5,2) (more than 5 digits)");
        }
        assertThat(TypedValues.decimal(BigDecimal.ZERO, new DataType.Decimal(1, 0), "p", "0")).isEqualTo(BigDecimal.ZERO);
        assertThat(TypedValues.decimal(BigDecimal.valueOf(9), new DataType.Decimal(1, 0), "p", "9")).isEqualTo(BigDecimal.valueOf(9));
        assertThatThrownBy(() -> TypedValues.decimal(BigDecimal.TEN, new DataType.Decimal(1, 0), "p", "10")).isInstanceOf(ValueException.class);
        String nines = "9".repeat(38);
        assertThat(TypedValues.decimal(new BigDecimal(nines), new DataType.Decimal(38, 0), "p", nines)).isEqualTo(new BigDecimal(nines));
        assertThatThrownBy(() -> TypedValues.decimal(new BigDecimal(nines + "0"), new DataType.Decimal(38, 0), "p", "x")).isInstanceOf(ValueException.class);
        // the rule is |unscaled| < 10^precision, for values around every power of ten
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 20_000; i++) {
            int precision = 1 + random.nextInt(38);
            int scale = random.nextInt(precision + 1);
            BigDecimal value = new BigDecimal(java.math.BigInteger.TEN.pow(random.nextInt(precision + 2)).add(java.math.BigInteger.valueOf(random.nextInt(3) - 1))
                    .multiply(java.math.BigInteger.valueOf(random.nextBoolean() ? 1 : -1)), scale);
            boolean fits = value.unscaledValue().abs().compareTo(java.math.BigInteger.TEN.pow(precision)) < 0;
            DataType.Decimal type = new DataType.Decimal(precision, scale);
            if (fits) {
                assertThat(TypedValues.decimal(value, type, "p", value)).as("%s in %s", value, type.spec()).isEqualTo(value);
            }
            else {
                assertThatThrownBy(() -> TypedValues.decimal(value, type, "p", value)).as("%s in %s", value, type.spec()).isInstanceOf(ValueException.class);
            }
        }
    }
}
