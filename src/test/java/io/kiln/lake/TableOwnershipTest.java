package io.kiln.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kiln.catalog.CatalogIdentity;
import io.kiln.catalog.CatalogSettings;
import io.kiln.catalog.KilnCatalog;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;

/**
 * Two catalogs (two SQLite files here; the README's PostgreSQL profile and the embedded default in
 * practice) configured with one warehouse: a table location belongs to one catalog, which alone
 * creates a table there and cleans its orphan files.
 */
class TableOwnershipTest {
    @TempDir
    Path temp;
    Path warehouse;

    @BeforeEach
    void createWarehouse() throws IOException {
        warehouse = Files.createDirectories(temp.resolve("warehouse"));
    }

    @Test
    void aCatalogDoesNotStartOnAnotherCatalogsWarehouse() throws IOException {
        String firstId;
        try (LakeCatalog first = LakeCatalog.open(temp.resolve("first.db"), warehouse)) {
            firstId = first.publisher.ownership().catalogId();
        }
        CatalogSettings second = LakeCatalog.settings(temp.resolve("second.db"), warehouse);
        String secondId = CatalogIdentity.of(second).id();

        assertThatThrownBy(() -> KilnCatalog.claimWarehouse(second, CatalogIdentity.of(second)))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCATION_OWNED_BY_ANOTHER_CATALOG))
                .hasMessage("The warehouse file://" + warehouse + " belongs to another catalog (id " + firstId + ", see file://" + warehouse
                        + "/kiln-catalog.json), not to catalog kiln (id " + secondId + "). A warehouse belongs to one catalog: give this one its own"
                        + " (kiln.catalog.warehouse, or another kiln.data-dir).");
        try (LakeCatalog reopened = LakeCatalog.open(temp.resolve("first.db"), warehouse)) {
            assertThat(reopened.publisher.ownership().catalogId()).as("a catalog's id lives in its database").isEqualTo(firstId);
        }
    }

    @Test
    void aSecondCatalogCannotCreateATableWhereTheFirstOnesLies() throws IOException {
        try (LakeCatalog first = LakeCatalog.open(temp.resolve("first.db"), warehouse);
                LakeCatalog second = LakeCatalog.openClaiming(temp.resolve("second.db"), warehouse, temp.resolve("elsewhere"))) {
            Table table = first.create("demo.docs");
            LakeCatalog.append(table, "a-1");

            assertThatThrownBy(() -> second.create("demo.docs"))
                    .isInstanceOfSatisfying(KilnException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.LOCATION_OWNED_BY_ANOTHER_CATALOG);
                        assertThat(e.code().type().httpStatus()).isEqualTo(409);
                    })
                    .hasMessage("Cannot create table demo.docs at " + table.location() + ": it belongs to another catalog (id " + first.publisher.ownership().catalogId()
                            + ", see " + table.location() + "/kiln-catalog.json). A table location belongs to one catalog: give catalog kiln a warehouse of its own"
                            + " (kiln.catalog.warehouse).");
            assertThat(second.catalog.tableExists(TableIdentifier.parse("demo.docs"))).isFalse();

            // a table made before the markers: its metadata alone says the location is taken
            Files.delete(Path.of(URI.create(table.location())).resolve(TableOwnership.MARKER));
            assertThatThrownBy(() -> second.create("demo.docs"))
                    .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCATION_OWNED_BY_ANOTHER_CATALOG))
                    .hasMessageStartingWith("Cannot create table demo.docs at " + table.location() + ": another catalog's table lies there (")
                    .hasMessageContaining(".metadata.json, without a marker of this catalog)");
            assertThat(second.catalog.tableExists(TableIdentifier.parse("demo.docs"))).isFalse();
        }
    }

    @Test
    void maintenanceOfOneCatalogNeverDeletesTheOthersFilesAndAPinnedSnapshotStaysReadable() throws IOException {
        try (LakeCatalog first = LakeCatalog.open(temp.resolve("first.db"), warehouse);
                LakeCatalog second = LakeCatalog.openClaiming(temp.resolve("second.db"), warehouse, temp.resolve("elsewhere"))) {
            Table pinned = first.create("demo.docs");
            long trainV1 = LakeCatalog.append(pinned, "a-1", "a-2");
            pinned.manageSnapshots().createTag("train-v1", trainV1).commit();
            LakeCatalog.append(pinned, "a-3");
            // what two catalogs did before the markers: the second made its table of the same name in the same folder
            Table shared = second.catalog.buildTable(TableIdentifier.parse("demo.docs"), LakeCatalog.SCHEMA).create();
            long secondHead = LakeCatalog.append(shared, "b-1");
            assertThat(shared.location()).isEqualTo(pinned.location());

            Maintenance.Report secondReport = second.maintain(second.catalog.loadTable(TableIdentifier.parse("demo.docs")));
            Maintenance.Report firstReport = first.maintain(first.catalog.loadTable(TableIdentifier.parse("demo.docs")));

            assertThat(secondReport.orphanFilesDeleted()).isEmpty();
            assertThat(secondReport.note()).isEqualTo("orphan files were not cleaned: " + pinned.location() + " belongs to another catalog (id "
                    + first.publisher.ownership().catalogId() + ", see " + pinned.location() + "/kiln-catalog.json); a catalog cleans only the locations it owns");
            assertThat(firstReport.orphanFilesDeleted()).isEmpty();
            assertThat(firstReport.note()).startsWith("orphan files were not cleaned: " + pinned.location() + " also holds another table's metadata (");
            assertThat(LakeCatalog.ids(pinned, LakeCatalog.tagged(pinned, "train-v1"))).containsExactly("a-1", "a-2");
            assertThat(LakeCatalog.ids(shared, secondHead)).containsExactly("b-1");
        }
    }

    @Test
    void aTableMadeBeforeTheMarkersIsAdoptedWhenLoadedAndThenCleaned() throws IOException {
        try (LakeCatalog lake = LakeCatalog.open(temp.resolve("catalog.db"), warehouse)) {
            Table table = lake.catalog.buildTable(TableIdentifier.parse("demo.old"), LakeCatalog.SCHEMA).create();
            long head = LakeCatalog.append(table, "o-1");
            Path root = Path.of(URI.create(table.location()));
            Path orphan = Files.writeString(root.resolve("data/left-behind-by-a-crashed-job.parquet"), "not referenced by any snapshot");

            Table loaded = lake.create("demo.old");

            assertThat(Files.readString(root.resolve(TableOwnership.MARKER)))
                    .contains("\"catalogId\":\"" + lake.publisher.ownership().catalogId() + "\"").contains("\"table\":\"kiln.demo.old\"");
            assertThat(lake.maintain(loaded).orphanFilesDeleted()).contains(1);
            assertThat(orphan).doesNotExist();
            assertThat(LakeCatalog.ids(loaded, head)).containsExactly("o-1");
        }
    }

    @Test
    void aTableWhoseFolderAlsoHoldsAnotherTablesMetadataIsNotAdopted() throws IOException {
        try (LakeCatalog first = LakeCatalog.open(temp.resolve("first.db"), warehouse);
                LakeCatalog second = LakeCatalog.openClaiming(temp.resolve("second.db"), warehouse, temp.resolve("elsewhere"))) {
            // both made before the markers
            Table mine = first.catalog.buildTable(TableIdentifier.parse("demo.docs"), LakeCatalog.SCHEMA).create();
            long myHead = LakeCatalog.append(mine, "a-1");
            Table theirs = second.catalog.buildTable(TableIdentifier.parse("demo.docs"), LakeCatalog.SCHEMA).create();
            long theirHead = LakeCatalog.append(theirs, "b-1");

            Maintenance.Report report = first.maintain(first.create("demo.docs"));

            assertThat(Path.of(URI.create(mine.location())).resolve(TableOwnership.MARKER)).doesNotExist();
            assertThat(report.orphanFilesDeleted()).isEmpty();
            assertThat(report.note()).startsWith("orphan files were not cleaned: " + mine.location() + " also holds another table's metadata (");
            assertThat(second.maintain(second.create("demo.docs")).orphanFilesDeleted()).isEmpty();
            assertThat(LakeCatalog.ids(mine, myHead)).containsExactly("a-1");
            assertThat(LakeCatalog.ids(theirs, theirHead)).containsExactly("b-1");
        }
    }
}
