package io.kiln.contamination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NgramIndexTest {
    /** A small QA benchmark, written for this test. */
    static final List<String> EVAL = List.of(
            "Question: A farmer plants 12 rows of corn with 15 stalks in each row. A storm flattens one third of the stalks. "
                    + "How many stalks are still standing after the storm? Answer: 120, because 180 stalks were planted and 60 fell.",
            "Question: Which gas do green plants take in from the air during photosynthesis? The leaves open small pores called "
                    + "stomata to let it in, and sunlight powers the reaction inside the chloroplasts. Answer: carbon dioxide.",
            "Question: The treaty that ended the Thirty Years War was signed in two Westphalian cities in 1648. It recognized the "
                    + "sovereignty of the German princes and the independence of the Dutch Republic. Name the treaty. Answer: the Peace of Westphalia.",
            "Question: A rectangle has a perimeter of 30 centimeters and its length is twice its width. What is the area of the "
                    + "rectangle in square centimeters? Answer: 50, since the width is 5 and the length is 10.",
            "Question: In the story, Mara leaves the lighthouse at dawn, rows across the grey bay to the island, and finds the "
                    + "keeper's journal buried under the old stone steps near the chapel. The last entry mentions a lantern that "
                    + "was never lit again after the winter of the great flood. Why does Mara return to the mainland before night falls? "
                    + "Answer: she wants to show the journal to her grandmother, who knew the keeper when she was a girl.",
            "Question: Which programming construct lets a function call itself with a smaller input until it reaches a base case? "
                    + "Give one classic example of its use. Answer: recursion, for example computing a factorial or walking a tree.");

    @Test
    void findsAnItemPastedVerbatimInsideOtherText() {
        NgramIndex index = evalIndex(13, 3);
        String prefix = "Study notes for the biology unit, copied from a forum post.\n\n";
        String item = EVAL.get(1);
        String document = prefix + item + "\n\nThat is all I remember about the exam. Good luck to everyone!";

        NgramIndex.Match match = index.match(document);

        int itemWords = plainWords(item);
        assertThat(match.items()).containsExactly(1);
        assertThat(match.ngrams()).isEqualTo(plainWords(document) - 13 + 1);
        assertThat(match.matchedNgrams()).isEqualTo(itemWords - 13 + 1);
        assertThat(match.score()).isCloseTo((itemWords - 12) / (double) (plainWords(document) - 12), within(1e-12));
        assertThat(match.spanStarts()).containsExactly(prefix.length());
        assertThat(match.spanEnds()).containsExactly(prefix.length() + item.length() - ".".length());
        assertThat(document.substring(match.spanStarts()[0], match.spanEnds()[0])).isEqualTo(item.substring(0, item.length() - 1));
    }

    @Test
    void findsAnItemPastedWithEditsAndCoversThePassage() {
        NgramIndex index = evalIndex(13, 3);
        String original = EVAL.get(4);
        String[] words = original.split(" ");
        StringBuilder edited = new StringBuilder();
        List<String> changedWords = new ArrayList<>();
        for (int i = 0; i < words.length; i++) {
            String word = words[i];
            if (i > 0 && i % 20 == 0) {
                word = "CHANGED" + i;
                changedWords.add(word);
            }
            else if (i % 7 == 0) {
                word = word.toUpperCase();
            }
            else if (i % 5 == 0) {
                word = word.replaceAll("[.,?:]", "") + ";";
            }
            edited.append(i == 0 ? "" : i % 9 == 0 ? "\n" : " ").append(word);
        }
        String prefix = "From a study group chat log:\n";
        String passage = edited.toString();
        String document = prefix + passage + "\nSee you all on Thursday.";

        NgramIndex.Match match = index.match(document);

        assertThat(match.items()).containsExactly(4);
        assertThat(match.matchedNgrams()).isGreaterThan(0).isLessThan(plainWords(passage) - 12);
        assertThat(match.spanStarts()).hasSize(changedWords.size() + 1);
        assertThat(match.spanStarts()[0]).isEqualTo(prefix.length());
        assertThat(match.spanEnds()[match.spanEnds().length - 1]).isEqualTo(prefix.length() + passage.lastIndexOf("girl") + "girl".length());
        for (int i = 0; i < changedWords.size(); i++) {
            int changed = document.indexOf(changedWords.get(i));
            assertThat(match.spanEnds()[i]).isLessThan(changed);
            assertThat(match.spanStarts()[i + 1]).isGreaterThan(changed);
        }
    }

    @Test
    void findsEveryItemOfADocumentThatQuotesSeveral() {
        NgramIndex index = evalIndex(13, 3);
        String document = "Practice set.\n" + EVAL.get(5) + "\nNext one.\n" + EVAL.get(0) + "\nEnd.";

        NgramIndex.Match match = index.match(document);

        assertThat(match.items()).containsExactly(0, 5);
        int fifth = document.indexOf(EVAL.get(5));
        int first = document.indexOf(EVAL.get(0));
        assertThat(match.spanStarts()).containsExactly(fifth, first);
        assertThat(match.spanEnds()).containsExactly(fifth + EVAL.get(5).length() - 1, first + EVAL.get(0).length() - 1);
    }

    @Test
    void cleanDocumentsOnTheSameTopicsAreNotFlagged() {
        NgramIndex index = evalIndex(13, 3);
        List<String> clean = List.of(
                "Photosynthesis happens in the chloroplasts. Plants take in carbon dioxide through stomata on their leaves, and "
                        + "sunlight drives the reaction that turns it into sugar while oxygen leaves through the same pores.",
                "The Peace of Westphalia, signed in 1648 in Osnabrueck and Muenster, ended the Thirty Years War and is often "
                        + "cited as the start of the modern system of sovereign states in Europe.",
                "A rectangle whose length is twice its width and whose perimeter is 30 centimeters has a width of 5 centimeters, "
                        + "so its area is 50 square centimeters. Try a square with the same perimeter next.",
                "Recursion means a function calls itself on a smaller input until it reaches a base case; computing a factorial "
                        + "and walking a tree are the classic examples in every programming course.",
                "At dawn the keeper rowed across the bay to the island to check the lantern, as he had every winter since the flood.");

        for (String document : clean) {
            NgramIndex.Match match = index.match(document);
            assertThat(match.matchedNgrams()).as(document).isZero();
            assertThat(match.items()).as(document).isEmpty();
            assertThat(match.spanStarts()).as(document).isEmpty();
            assertThat(match.score()).as(document).isZero();
            assertThat(match.ngrams()).as(document).isEqualTo(plainWords(document) - 12);
        }
    }

    @Test
    void ignoresNgramsThatMoreItemsThanTheCapShare() {
        String boilerplate = "Read the passage below carefully and answer the question that follows it in one short sentence.";
        NgramIndex.Builder capped = NgramIndex.builder(13, 3);
        NgramIndex.Builder uncapped = NgramIndex.builder(13, 10);
        for (int item = 0; item < EVAL.size(); item++) {
            capped.add(item, boilerplate + " " + EVAL.get(item));
            uncapped.add(item, boilerplate + " " + EVAL.get(item));
        }
        int sharedNgrams = plainWords(boilerplate + " Question") - 13 + 1;

        NgramIndex cappedIndex = capped.build();
        NgramIndex uncappedIndex = uncapped.build();

        assertThat(cappedIndex.cappedNgrams()).isEqualTo(sharedNgrams);
        assertThat(uncappedIndex.cappedNgrams()).isZero();
        assertThat(uncappedIndex.ngrams() - cappedIndex.ngrams()).isEqualTo(sharedNgrams);
        String document = "Instructions: " + boilerplate + " Then write your name at the top of the page.";
        assertThat(cappedIndex.match(document).matchedNgrams()).isZero();
        assertThat(uncappedIndex.match(document).items()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(cappedIndex.match(boilerplate + " " + EVAL.get(2)).items()).containsExactly(2);
    }

    @Test
    void anItemThatRepeatsAnNgramCountsOnceTowardTheCap() {
        NgramIndex index = NgramIndex.builder(2, 1).add(0, "la la la la, la la").add(1, "tra la la").build();

        assertThat(index.cappedNgrams()).isEqualTo(1);
        assertThat(index.match("tra la").items()).containsExactly(1);
        assertThat(NgramIndex.builder(2, 2).add(0, "la la la la").add(1, "la la").build().match("la la").items()).containsExactly(0, 1);
    }

    @Test
    void anNgramThatExactlyTheCapItemsShareIsKept() {
        NgramIndex index = NgramIndex.builder(2, 2).add(0, "red apple pie").add(1, "green apple pie").add(2, "blue apple tart").build();

        assertThat(index.match("apple pie").items()).containsExactly(0, 1);
        assertThat(index.itemsOf(NgramText.ngramHash(NgramText.words("apple pie").hashes(), 0, 2))).containsExactly(0, 1);
        assertThat(index.itemsOf(12345L)).isEmpty();
    }

    @Test
    void textsShorterThanNWordsHaveNoNgrams() {
        NgramIndex index = NgramIndex.builder(5, 1).add(0, "only four words here").add(2, "and five words right here").build();

        assertThat(index.items()).isEqualTo(3);
        assertThat(index.ngrams()).isEqualTo(1);
        assertThat(index.match("only four words here")).satisfies(match -> {
            assertThat(match.ngrams()).isZero();
            assertThat(match.score()).isZero();
        });
        assertThat(index.match("And five words, right here!").items()).containsExactly(2);
        assertThat(index.match("And five words, right here!").score()).isEqualTo(1.0);
    }

    @Test
    void matchesWithTheSmallestAndTheLargestN() {
        NgramIndex unigrams = NgramIndex.builder(1, 1).add(0, "hello world").add(1, "goodbye world").build();
        StringBuilder long64 = new StringBuilder();
        for (int word = 0; word < 70; word++) {
            long64.append("word").append(word).append(' ');
        }
        NgramIndex large = NgramIndex.builder(64, 1).add(0, long64.toString()).build();

        NgramIndex.Match match = unigrams.match("Say Hello to the world");
        assertThat(match.items()).containsExactly(0);
        assertThat(match.matchedNgrams()).isEqualTo(1);
        assertThat(match.spanStarts()).containsExactly(4);
        assertThat(match.spanEnds()).containsExactly(9);
        assertThat(large.ngrams()).isEqualTo(7);
        assertThat(large.match("prefix " + long64.substring(0, long64.indexOf("word63 ") + 6)).matchedNgrams()).isEqualTo(1);
        assertThat(large.match("prefix " + long64).matchedNgrams()).isEqualTo(7);
    }

    @Test
    void agreesWithABruteForceIndex() {
        agreesWithABruteForceIndex(new Random(17), 3, 4, 300, 40, 12);
    }

    @Test
    void agreesWithABruteForceIndexOfManyNgrams() {
        agreesWithABruteForceIndex(new Random(19), 2, 3, 3000, 200, 500);
    }

    private static void agreesWithABruteForceIndex(Random random, int n, int cap, int itemCount, int itemWords, int vocabulary) {
        List<String> items = new ArrayList<>();
        for (int item = 0; item < itemCount; item++) {
            items.add(randomText(random, 5 + random.nextInt(itemWords), vocabulary));
        }
        NgramIndex.Builder builder = NgramIndex.builder(n, cap);
        Map<List<String>, TreeSet<Integer>> oracle = new HashMap<>();
        for (int item = 0; item < items.size(); item++) {
            builder.add(item, items.get(item));
            String[] words = items.get(item).toLowerCase().split("[^a-z]+");
            for (int i = 0; i + n <= words.length; i++) {
                oracle.computeIfAbsent(List.of(words).subList(i, i + n), key -> new TreeSet<>()).add(item);
            }
        }
        oracle.values().removeIf(hit -> hit.size() > cap);
        NgramIndex index = builder.build();

        assertThat(index.ngrams()).isEqualTo(oracle.size());
        assertThat(index.cappedNgrams()).isPositive();
        long matched = 0;
        for (int document = 0; document < 300; document++) {
            String text = randomText(random, random.nextInt(60), vocabulary);
            String[] words = text.toLowerCase().split("[^a-z]+");
            NgramText.Words positions = NgramText.words(text);
            TreeSet<Integer> expectedItems = new TreeSet<>();
            int expectedMatched = 0;
            List<int[]> expectedSpans = new ArrayList<>();
            for (int i = 0; i + n <= positions.count(); i++) {
                TreeSet<Integer> hit = oracle.get(List.of(words).subList(i, i + n));
                if (hit != null) {
                    expectedMatched++;
                    expectedItems.addAll(hit);
                    int start = positions.starts()[i];
                    int end = positions.ends()[i + n - 1];
                    if (!expectedSpans.isEmpty() && start <= expectedSpans.get(expectedSpans.size() - 1)[1]) {
                        expectedSpans.get(expectedSpans.size() - 1)[1] = end;
                    }
                    else {
                        expectedSpans.add(new int[] {start, end});
                    }
                }
            }

            NgramIndex.Match match = index.match(text);

            assertThat(match.matchedNgrams()).as(text).isEqualTo(expectedMatched);
            matched += expectedMatched;
            assertThat(match.items()).as(text).containsExactly(expectedItems.stream().mapToInt(Integer::intValue).toArray());
            assertThat(match.spanStarts()).as(text).containsExactly(expectedSpans.stream().mapToInt(span -> span[0]).toArray());
            assertThat(match.spanEnds()).as(text).containsExactly(expectedSpans.stream().mapToInt(span -> span[1]).toArray());
        }
        assertThat(matched).isPositive();
    }

    @Test
    void findsEveryHashOfATableWithZeroClustersAndTheLargestHashes(@TempDir Path directory) {
        Random random = new Random(23);
        TreeSet<Long> present = new TreeSet<>(Long::compareUnsigned);
        present.addAll(List.of(0L, 1L, 2L, -1L, -2L, -3L, Long.MIN_VALUE, Long.MAX_VALUE));
        for (int i = 0; i < 1000; i++) {
            present.add(0x12345678_00000000L | random.nextInt() & 0xFFFFFFFFL);
            present.add(0xFFFFFFFF_00000000L | random.nextInt() & 0xFFFFFFFFL);
            present.add(random.nextLong());
        }
        long[] hashes = present.stream().mapToLong(Long::longValue).toArray();
        int[] offsets = new int[hashes.length + 1];
        int[] items = new int[hashes.length];
        for (int i = 0; i < hashes.length; i++) {
            offsets[i + 1] = i + 1;
            items[i] = i % 7;
        }

        NgramIndex index = NgramIndex.of(13, 1, 7, hashes, offsets, items);
        index.write(directory.resolve("table.ngrams"));
        NgramIndex read = NgramIndex.read(directory.resolve("table.ngrams"));

        for (NgramIndex table : List.of(index, read)) {
            for (int i = 0; i < hashes.length; i++) {
                assertThat(table.itemsOf(hashes[i])).as("hash %016x", hashes[i]).containsExactly(i % 7);
                long absent = hashes[i] + 1;
                if (!present.contains(absent)) {
                    assertThat(table.itemsOf(absent)).as("hash %016x", absent).isEmpty();
                }
            }
            assertThat(table.ngrams()).isEqualTo(hashes.length);
        }
        assertThat(NgramIndex.of(13, 1, 1, new long[] {5}, new int[] {0, 1}, new int[] {0}).itemsOf(0)).isEmpty();
    }

    @Test
    void readsBackWhatItWrote(@TempDir Path directory) {
        NgramIndex index = evalIndex(13, 3);
        Path file = directory.resolve("eval.ngrams");

        index.write(file);
        NgramIndex read = NgramIndex.read(file);

        assertThat(read.n()).isEqualTo(13);
        assertThat(read.frequencyCap()).isEqualTo(3);
        assertThat(read.items()).isEqualTo(EVAL.size());
        assertThat(read.ngrams()).isEqualTo(index.ngrams());
        assertThat(read.cappedNgrams()).isEqualTo(index.cappedNgrams());
        String document = "Notes: " + EVAL.get(3) + " and " + EVAL.get(4).toUpperCase();
        assertThat(read.match(document)).usingRecursiveComparison().isEqualTo(index.match(document));
        assertThat(read.match(document).items()).containsExactly(3, 4);
        assertThat(directory.toFile().list()).containsExactly("eval.ngrams");
    }

    @Test
    void readsBackAnEmptyIndex(@TempDir Path directory) {
        Path file = directory.resolve("empty.ngrams");
        NgramIndex.builder(13, 1).build().write(file);

        NgramIndex read = NgramIndex.read(file);

        assertThat(read.ngrams()).isZero();
        assertThat(read.items()).isZero();
        assertThat(read.match(EVAL.get(0)).matchedNgrams()).isZero();
    }

    @Test
    void theSameItemsGiveTheSameBytes(@TempDir Path directory) throws IOException {
        evalIndex(13, 3).write(directory.resolve("first.ngrams"));
        evalIndex(13, 3).write(directory.resolve("second.ngrams"));
        NgramIndex.read(directory.resolve("first.ngrams")).write(directory.resolve("third.ngrams"));

        assertThat(Files.mismatch(directory.resolve("first.ngrams"), directory.resolve("second.ngrams"))).isEqualTo(-1);
        assertThat(Files.mismatch(directory.resolve("first.ngrams"), directory.resolve("third.ngrams"))).isEqualTo(-1);
    }

    @Test
    void detectsACorruptByteInTheBody(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("eval.ngrams");
        evalIndex(13, 3).write(file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(file, bytes);

        assertThatThrownBy(() -> NgramIndex.read(file))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("Cannot read the n-gram index " + file + ": corrupt: CRC32C ");
    }

    @Test
    void detectsACorruptByteInTheHeader(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("eval.ngrams");
        evalIndex(13, 3).write(file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[30] ^= 0x01;
        Files.write(file, bytes);

        assertThatThrownBy(() -> NgramIndex.read(file)).hasMessageContaining(": corrupt header: CRC32C ");
    }

    @Test
    void detectsATruncatedFile(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("eval.ngrams");
        evalIndex(13, 3).write(file);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));

        assertThatThrownBy(() -> NgramIndex.read(file))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("Cannot read the n-gram index %s: truncated: %d bytes, its header says %d", file, bytes.length - 100, bytes.length);
        Files.write(file, Arrays.copyOf(bytes, 20));
        assertThatThrownBy(() -> NgramIndex.read(file)).hasMessageEndingWith(": truncated: 20 bytes, less than a header");
    }

    @Test
    void refusesAFileThatIsNotAnIndex(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("notes.txt");
        Files.writeString(file, "these are not the n-grams you are looking for, not at all, no");

        assertThatThrownBy(() -> NgramIndex.read(file)).hasMessageContaining(": not an n-gram index (magic ");
        assertThatThrownBy(() -> NgramIndex.read(directory.resolve("missing"))).isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("Cannot read the n-gram index " + directory.resolve("missing"));
    }

    @Test
    void rejectsBadParametersAndItemsOutOfOrder() {
        assertThatThrownBy(() -> NgramIndex.builder(0, 1)).hasMessage("n must be in [1, 64], got 0");
        assertThatThrownBy(() -> NgramIndex.builder(65, 1)).hasMessage("n must be in [1, 64], got 65");
        assertThatThrownBy(() -> NgramIndex.builder(13, 0)).hasMessage("frequencyCap must be at least 1, got 0");
        NgramIndex.Builder builder = NgramIndex.builder(2, 1).add(0, "a b").add(3, "c d");
        assertThatThrownBy(() -> builder.add(3, "e f"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot add item 3: items must be added once each, in increasing order (last was 3)");
        assertThatThrownBy(() -> NgramIndex.builder(2, 1).add(-1, "a b")).hasMessageContaining("Cannot add item -1");
        builder.build();
        assertThatThrownBy(() -> builder.add(4, "g h")).isInstanceOf(IllegalStateException.class)
                .hasMessage("Cannot add item 4: the index was already built");
        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class);
    }

    static NgramIndex evalIndex(int n, int cap) {
        NgramIndex.Builder builder = NgramIndex.builder(n, cap);
        for (int item = 0; item < EVAL.size(); item++) {
            builder.add(item, EVAL.get(item));
        }
        return builder.build();
    }

    /** Words counted independently of NgramText, for ASCII text. */
    private static int plainWords(String text) {
        return (int) Arrays.stream(text.split("[^A-Za-z0-9]+")).filter(word -> !word.isEmpty()).count();
    }

    private static String randomText(Random random, int words, int vocabulary) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            int word = random.nextInt(vocabulary);
            text.append(i == 0 ? "" : random.nextBoolean() ? " " : ", ")
                    .append((char) ('a' + word / 26 / 26 % 26)).append((char) ('a' + word / 26 % 26)).append((char) ('a' + word % 26));
        }
        return text.toString();
    }
}
