package io.kiln.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Orphan cleanup deletes only what nothing reaches, below a location the catalog owns. */
class MaintenanceTest {
    @TempDir
    Path temp;
    LakeCatalog lake;

    @BeforeEach
    void open() throws IOException {
        lake = LakeCatalog.open(temp.resolve("catalog.db"), Files.createDirectories(temp.resolve("warehouse")));
    }

    @AfterEach
    void close() throws IOException {
        lake.close();
    }

    @Test
    void orphanCleanupKeepsTheFilesThatOnlyATagOrABranchReaches() throws IOException {
        Table table = lake.create("demo.refs");
        DataFile taggedOnly = LakeCatalog.write(table, "t-1");
        table.newAppend().appendFile(taggedOnly).commit();
        table.refresh();
        table.manageSnapshots().createTag("train-v1", table.currentSnapshot().snapshotId()).commit();
        table.newDelete().deleteFile(taggedOnly).commit();
        table.refresh();
        table.manageSnapshots().createBranch("experiment", table.currentSnapshot().snapshotId()).commit();
        DataFile branchOnly = LakeCatalog.write(table, "b-1");
        table.newAppend().appendFile(branchOnly).toBranch("experiment").commit();
        long main = LakeCatalog.append(table, "m-1");
        Path root = Path.of(URI.create(table.location()));
        Path orphan = Files.writeString(root.resolve("data/left-behind-by-a-crashed-job.parquet"), "not referenced by any snapshot");

        Maintenance.Report report = lake.maintain(table);

        assertThat(report.orphanFilesDeleted()).contains(1);
        assertThat(orphan).doesNotExist();
        assertThat(Path.of(URI.create(taggedOnly.location()))).exists();
        assertThat(Path.of(URI.create(branchOnly.location()))).exists();
        assertThat(root.resolve(TableOwnership.MARKER)).as("the ownership marker is no orphan").exists();
        assertThat(LakeCatalog.ids(table, LakeCatalog.tagged(table, "train-v1"))).containsExactly("t-1");
        assertThat(LakeCatalog.ids(table, LakeCatalog.tagged(table, "experiment"))).containsExactly("b-1");
        assertThat(LakeCatalog.ids(table, main)).containsExactly("m-1");
    }

    @Test
    void orphanCleanupLeavesATableWhoseLocationLiesInsideAlone() {
        Table outer = lake.create("a.b");
        LakeCatalog.append(outer, "o-1");
        Table inner = lake.create("a.b.c");
        long innerHead = LakeCatalog.append(inner, "i-1");
        assertThat(inner.location()).startsWith(outer.location() + "/");

        assertThat(lake.maintain(outer).orphanFilesDeleted()).contains(0);

        assertThat(LakeCatalog.ids(inner, innerHead)).containsExactly("i-1");
        assertThat(lake.maintain(inner).orphanFilesDeleted()).contains(0);
    }
}
