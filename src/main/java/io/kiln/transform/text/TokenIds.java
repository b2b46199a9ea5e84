package io.kiln.transform.text;

import java.util.AbstractList;
import java.util.RandomAccess;

import com.knuddels.jtokkit.api.IntArrayList;

/**
 * Token ids as an unmodifiable {@code List<Integer>} over jtokkit's {@link IntArrayList}, without
 * copying or boxing them up front: an id is boxed only when read through {@link #get}. Writers
 * that know this class read {@link #getInt} instead. Equal to any list of the same integers.
 */
public final class TokenIds extends AbstractList<Integer> implements RandomAccess {
    private final IntArrayList ids;

    /** {@code ids} must not be changed afterwards: this view takes it over. */
    TokenIds(IntArrayList ids) {
        this.ids = ids;
    }

    public int getInt(int index) {
        if (index < 0 || index >= ids.size()) {
            throw new IndexOutOfBoundsException("index " + index + " of " + ids.size() + " token ids");
        }
        return ids.get(index);
    }

    @Override
    public Integer get(int index) {
        return getInt(index);
    }

    @Override
    public int size() {
        return ids.size();
    }

    /** A copy of the ids. */
    public int[] toIntArray() {
        return ids.toArray();
    }
}
