package io.kiln.transform.tabular;

/** Values cut at ascending edges: the {@code bucketize} step's buckets and the drift rule's bins. */
public final class Buckets {
    private Buckets() {}

    /** The bucket of {@code value}: how many of the ascending {@code edges} are at or below it (0 below the first). */
    public static int of(double[] edges, double value) {
        int low = 0;
        int high = edges.length;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (edges[middle] <= value) {
                low = middle + 1;
            }
            else {
                high = middle;
            }
        }
        return low;
    }
}
