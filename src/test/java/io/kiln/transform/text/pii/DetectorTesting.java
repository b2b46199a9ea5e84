package io.kiln.transform.text.pii;

import java.util.ArrayList;
import java.util.List;

/** Runs one detector and lists what it found, as the matched text. */
final class DetectorTesting {
    private DetectorTesting() {}

    static List<String> found(PiiDetector detector, String text) {
        List<PiiMatch> matches = new ArrayList<>();
        detector.find(text, matches);
        matches.sort(java.util.Comparator.comparingInt(PiiMatch::start));
        return matches.stream().map(match -> text.substring(match.start(), match.end())).toList();
    }

    static List<String> normalized(PiiDetector detector, String text) {
        List<PiiMatch> matches = new ArrayList<>();
        detector.find(text, matches);
        matches.sort(java.util.Comparator.comparingInt(PiiMatch::start));
        return matches.stream().map(PiiMatch::normalized).toList();
    }
}
