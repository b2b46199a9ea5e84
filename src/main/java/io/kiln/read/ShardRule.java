package io.kiln.read;

/**
 * One of {@code count} disjoint parts of a snapshot's rows, for data-parallel readers: a row is in
 * shard {@code index} when the first 8 bytes of {@code sha256("shard:<id>")}, as an unsigned number,
 * leave {@code index} when divided by {@code count}. Every row is in exactly one shard, whatever the
 * files, the batch size or the reader; the hash is not the split's, so each split spreads over every
 * shard.
 */
public record ShardRule(int index, int count) {
    public static final int MAX_COUNT = 65_536;

    public ShardRule {
        if (count < 1 || count > MAX_COUNT || index < 0 || index >= count) {
            throw new IllegalArgumentException("shard " + index + " of " + count + " does not exist");
        }
    }

    public boolean contains(String id) {
        return Long.remainderUnsigned(SplitRule.leading64("shard:" + id), count) == index;
    }
}
