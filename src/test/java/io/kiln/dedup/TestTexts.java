package io.kiln.dedup;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Synthetic documents: words drawn from a fixed vocabulary with a seeded random, and edited copies of them. */
final class TestTexts {
    private static final String[] VOCABULARY = ("the of and to in is that for it as was with be by on not he this are or his from at which "
            + "but have an they you were her she there been one all we their has would when if so no will more can out other into "
            + "lake table snapshot schema column row file commit branch audit check engine source step chain token model vector "
            + "query reader writer partition manifest metadata catalog warehouse parquet iceberg trino spark deequ kiln ingest "
            + "license software copyright permission notice warranty redistribution binary form conditions provided holders "
            + "contributors liability damages purpose merchantability fitness express implied limited public general free").split(" ");

    private TestTexts() {
    }

    static String document(long seed, int words) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            if (i > 0) {
                text.append(i % 17 == 0 ? ". " : " ");
            }
            text.append(VOCABULARY[random.nextInt(VOCABULARY.length)]);
        }
        return text.append('.').toString();
    }

    /** {@code text} with {@code changes} words (spread evenly) replaced by words not in the vocabulary. */
    static String edited(String text, int changes, long seed) {
        return edited(text, changes, seed, 0.5);
    }

    /** Like {@link #edited(String, int, long)}, the i-th change at {@code (i + phase) / changes} of the text. */
    static String edited(String text, int changes, long seed, double phase) {
        String[] words = text.split(" ");
        Random random = new Random(seed);
        for (int i = 0; i < changes; i++) {
            int at = (int) ((i + phase) * words.length / changes);
            words[at] = "edit" + random.nextInt(1_000_000);
        }
        return String.join(" ", words);
    }

    static List<String> documents(long seed, int count, int words) {
        List<String> documents = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            documents.add(document(seed * 1_000_003 + i, words));
        }
        return documents;
    }
}
