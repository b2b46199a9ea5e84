package io.kiln.transform.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import org.junit.jupiter.api.Test;

class HierarchyTest {
    @Test
    void intervalsWidenByTheFanoutAndAlignAtZero() {
        Hierarchy age = new Hierarchy.Intervals(BigDecimal.valueOf(5), 2, 3);
        assertThat(age.height()).isEqualTo(5);
        assertThat(List.of(0, 1, 2, 3, 4).stream().map(level -> age.generalize(37L, level)))
                .containsExactly("37", "[35, 40)", "[30, 40)", "[20, 40)", "*");
        assertThat(age.generalize(-3, 1)).isEqualTo("[-5, 0)");
        assertThat(age.generalize(2.5, 1)).isEqualTo("[0, 5)");
        assertThat(age.generalize(new BigDecimal("40.00"), 2)).isEqualTo("[40, 50)");
        assertThat(age.generalize(null, 2)).isNull();
        assertThat(age.generalize(null, 4)).isEqualTo("*");
        assertThat(age.places("41")).isTrue();
        assertThat(age.places("forty")).isFalse();
        assertThat(age.places(Double.NaN)).isFalse();
    }

    @Test
    void maskHidesOneMoreCharacterFromTheRightAtEachLevel() {
        Hierarchy zip = new Hierarchy.Mask(3);
        assertThat(List.of(0, 1, 2, 3, 4).stream().map(level -> zip.generalize("13053", level)))
                .containsExactly("13053", "1305*", "130**", "13***", "*");
        assertThat(zip.generalize("12", 3)).isEqualTo("**");
    }

    @Test
    void datesGoToMonthYearAndDecadeInUtc() {
        Hierarchy birth = new Hierarchy.Dates(Hierarchy.Dates.UNITS);
        assertThat(List.of(0, 1, 2, 3, 4).stream().map(level -> birth.generalize(LocalDate.of(1987, 3, 9), level)))
                .containsExactly("1987-03-09", "1987-03", "1987", "1980s", "*");
        assertThat(birth.generalize(Instant.parse("1999-12-31T23:30:00Z"), 2)).isEqualTo("1999");
        assertThat(birth.generalize("2004-02-29", 1)).isEqualTo("2004-02");
        assertThat(birth.places("yesterday")).isFalse();
    }

    @Test
    void aCsvHierarchyPlacesOnlyTheValuesItLists() throws Exception {
        java.nio.file.Path file = java.nio.file.Path.of("src/test/resources/fixtures/privacy/housing.csv").toAbsolutePath();
        Hierarchy housing = AnonymizeStep.hierarchy(java.util.Map.of("type", "csv", "csvPath", file.toString()), "columns.housing.hierarchy");
        assertThat(housing.height()).isEqualTo(3);
        assertThat(housing.generalize("rent", 1)).isEqualTo("not owner");
        assertThat(housing.generalize("own", 1)).isEqualTo("owner");
        assertThat(housing.generalize("own", 2)).isEqualTo("*");
        assertThat(housing.places("castle")).isFalse();
        assertThat(housing.describe()).containsEntry("type", "csv").containsEntry("levels", 1);
    }
}
