package io.kiln.lake;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.util.SnapshotUtil;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonFormat;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;

/**
 * Pins: "exactly this data" for a training run. A pin is an Iceberg tag on a published snapshot
 * (so snapshot expiry keeps it, for the tag's own retention or forever), plus a table property
 * {@code kiln.pin.<name>} recording who pinned it and why, committed in the same transaction.
 */
public final class Pins {
    public static final String PROPERTY_PREFIX = "kiln.pin.";

    private final Publisher publisher;

    public Pins(Publisher publisher) {
        this.publisher = publisher;
    }

    /** A pin as recorded. {@code maxRefAgeMs} null: kept until unpinned. */
    public record Pin(String name, @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") long snapshotId, String owner, String reason, Instant createdAt, Long maxRefAgeMs) {
        public Pin {
            requireNonNull(name, "name is null");
            requireNonNull(owner, "owner is null");
            requireNonNull(reason, "reason is null");
            requireNonNull(createdAt, "createdAt is null");
        }
    }

    private record Record(long snapshotId, String owner, String reason, String createdAt) {}

    public Pin create(Table table, String name, long snapshotId, String owner, String reason, Optional<Long> maxRefAgeMs) {
        return publisher.locked(table, () -> {
            table.refresh();
            if (table.refs().containsKey(name)) {
                throw new KilnException(ErrorCode.PIN_EXISTS, "Table " + table.name() + " already has a " + (table.properties().containsKey(PROPERTY_PREFIX + name) ? "pin" : "tag or branch") + " named '" + name + "'");
            }
            requirePublished(table, snapshotId);
            Instant now = Instant.now();
            Transaction transaction = table.newTransaction();
            var tag = transaction.manageSnapshots().createTag(name, snapshotId);
            if (maxRefAgeMs.isPresent()) {
                tag = tag.setMaxRefAgeMs(name, maxRefAgeMs.get());
            }
            tag.commit();
            transaction.updateProperties().set(PROPERTY_PREFIX + name, SummaryJson.write(new Record(snapshotId, owner, reason, now.toString()))).commit();
            transaction.commitTransaction();
            return new Pin(name, snapshotId, owner, reason, now, maxRefAgeMs.orElse(null));
        });
    }

    public List<Pin> list(Table table) {
        table.refresh();
        List<Pin> pins = new ArrayList<>();
        for (Map.Entry<String, String> property : table.properties().entrySet()) {
            if (property.getKey().startsWith(PROPERTY_PREFIX)) {
                String name = property.getKey().substring(PROPERTY_PREFIX.length());
                SnapshotRef ref = table.refs().get(name);
                if (ref != null && ref.isTag()) {
                    Record record = parse(property.getValue());
                    pins.add(new Pin(name, ref.snapshotId(), record.owner(), record.reason(), Instant.parse(record.createdAt()), ref.maxRefAgeMs()));
                }
            }
        }
        pins.sort(Comparator.comparing(Pin::name));
        return pins;
    }

    public Pin get(Table table, String name) {
        return list(table).stream().filter(pin -> pin.name().equals(name)).findFirst()
                .orElseThrow(() -> new KilnException(ErrorCode.PIN_NOT_FOUND, "Table " + table.name() + " has no pin '" + name + "'"));
    }

    public void delete(Table table, String name) {
        publisher.locked(table, () -> {
            get(table, name);
            Transaction transaction = table.newTransaction();
            transaction.manageSnapshots().removeTag(name).commit();
            transaction.updateProperties().remove(PROPERTY_PREFIX + name).commit();
            transaction.commitTransaction();
            return null;
        });
    }

    /**
     * The snapshot a reference names: a pin (a tag) or a snapshot id in decimal; empty when it is
     * neither (a branch, an unknown name). Says nothing of whether the snapshot exists or was published.
     */
    public static Optional<Long> snapshotOf(Table table, String reference) {
        org.apache.iceberg.SnapshotRef ref = table.refs().get(reference);
        if (ref != null && ref.isTag()) {
            return Optional.of(ref.snapshotId());
        }
        return reference.matches("-?[0-9]{1,19}") ? Optional.of(Long.parseLong(reference)) : Optional.empty();
    }

    /**
     * A snapshot a training job may use: in main's history (published), not a staged or rejected
     * batch on an audit branch, not the staged batch under a publish (its audit record is the
     * published snapshot), and not expired.
     */
    public static Snapshot requirePublished(Table table, long snapshotId) {
        Snapshot snapshot = table.snapshot(snapshotId);
        if (snapshot == null) {
            throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "Table " + table.name() + " has no snapshot " + snapshotId
                    + ": it never existed, or it was expired");
        }
        Snapshot main = table.currentSnapshot();
        boolean published = main != null && SnapshotUtil.isAncestorOf(table, main.snapshotId(), snapshotId);
        if (!published) {
            String where = table.refs().entrySet().stream()
                    .filter(entry -> entry.getValue().isBranch() && SnapshotUtil.isAncestorOf(table, entry.getValue().snapshotId(), snapshotId))
                    .map(Map.Entry::getKey).findFirst().map(branch -> " (it is on branch " + branch + ")").orElse("");
            String outcome = Optional.ofNullable(snapshot.summary().get(Publisher.CHECKS_OUTCOME)).map(value -> ", its checks " + value).orElse("");
            throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "Snapshot " + snapshotId + " of " + table.name() + " was never published" + where + outcome);
        }
        Map<String, String> summary = snapshot.summary();
        if (summary.containsKey(Publisher.JOB_ID) && !summary.containsKey(Publisher.CHECKS_OUTCOME) && !summary.containsKey(Publisher.REJECTS_OF)) {
            // the batch as staged, before its audit: main reaches it only through the audit record published on top of it
            String record = "";
            for (Snapshot ancestor : SnapshotUtil.currentAncestors(table)) {
                if (Long.toString(snapshotId).equals(ancestor.summary().get(Publisher.AUDITED_SNAPSHOT))) {
                    record = ": use snapshot " + ancestor.snapshotId() + ", which published it";
                    break;
                }
            }
            throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "Snapshot " + snapshotId + " of " + table.name() + " is job "
                    + summary.get(Publisher.JOB_ID) + "'s batch as staged before its audit, not a published snapshot" + record);
        }
        return snapshot;
    }

    private static Record parse(String json) {
        return SummaryJson.read(json, Record.class).orElseGet(() -> new Record(0, "?", "unreadable pin record", Instant.EPOCH.toString()));
    }
}
