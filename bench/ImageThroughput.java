import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import javax.imageio.ImageIO;

import io.kiln.dedup.DocumentRank;
import io.kiln.dedup.HammingIndex;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepRegistry;
import io.kiln.transform.Transform;

/**
 * Images per CPU-second on one thread, in one JVM, interleaved rounds:
 * Kiln's image-normalize (decode with the header check, EXIF read, orientation, bit-exact resize to fit
 * SIZE x SIZE, sRGB, metadata-free PNG encode, pHash and dHash) against the limit, ImageIO's bare
 * decode (ImageIO.read) plus a Java2D bilinear resize to the same size, nothing else. Then the cost
 * of a near-duplicate lookup against a history of HISTORY hashes. Arguments: file-list rounds size history.
 */
public class ImageThroughput {
    public static void main(String[] args) throws Exception {
        List<byte[]> files = new ArrayList<>();
        long bytes = 0;
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            byte[] file = Files.readAllBytes(Path.of(line));
            files.add(file);
            bytes += file.length;
        }
        int rounds = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        int history = Integer.parseInt(args[3]);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Transform step = StepRegistry.defaultRegistry().find("image-normalize").orElseThrow()
                .bind(Map.of("resize", "fit", "width", size, "height", size, "encode", "png"));
        ImageIO.setUseCache(false);
        double bestKiln = 0;
        double bestBare = 0;
        int rejected = 0;
        for (int round = 0; round <= rounds; round++) {
            long start = threads.getCurrentThreadCpuTime();
            rejected = 0;
            for (int i = 0; i < files.size(); i++) {
                Outcome outcome = step.apply(new Row("i" + i, Map.of("image", ByteBuffer.wrap(files.get(i)).asReadOnlyBuffer())));
                if (outcome instanceof Outcome.Drop) {
                    rejected++;
                }
            }
            double kiln = files.size() / ((threads.getCurrentThreadCpuTime() - start) / 1e9);
            start = threads.getCurrentThreadCpuTime();
            for (byte[] file : files) {
                BufferedImage image;
                try {
                    image = ImageIO.read(new java.io.ByteArrayInputStream(file));
                }
                catch (Exception e) {
                    continue;
                }
                if (image == null) {
                    continue;
                }
                int w = image.getWidth();
                int h = image.getHeight();
                double scale = Math.min(1.0, Math.min((double) size / w, (double) size / h));
                int outW = Math.max(1, (int) Math.round(w * scale));
                int outH = Math.max(1, (int) Math.round(h * scale));
                BufferedImage out = new BufferedImage(outW, outH, BufferedImage.TYPE_INT_RGB);
                var graphics = out.createGraphics();
                graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                graphics.drawImage(image, 0, 0, outW, outH, null);
                graphics.dispose();
            }
            double bare = files.size() / ((threads.getCurrentThreadCpuTime() - start) / 1e9);
            if (round > 0) { // round 0 warms the JIT
                bestKiln = Math.max(bestKiln, kiln);
                bestBare = Math.max(bestBare, bare);
                System.out.printf("round %d: Kiln %.1f images/CPU-s, ImageIO bare %.1f images/CPU-s, ratio %.2f%n", round, kiln, bare, kiln / bare);
            }
        }
        System.out.printf("RESULT images=%d MB=%.1f rejected=%d kiln=%.1f bare=%.1f ratio=%.2f%n", files.size(), bytes / 1e6, rejected, bestKiln, bestBare,
                bestKiln / bestBare);

        Random random = new Random(1);
        HammingIndex index = new HammingIndex(6);
        java.io.ByteArrayOutputStream segment = new java.io.ByteArrayOutputStream();
        HammingIndex builder = new HammingIndex(0);
        for (int i = 0; i < history; i++) {
            builder.add(new DocumentRank("file:///h", i, 0, "h" + i), random.nextLong());
        }
        builder.writeSegment(segment);
        long load = threads.getCurrentThreadCpuTime();
        index.loadHistory(new java.io.ByteArrayInputStream(segment.toByteArray()));
        double loadSeconds = (threads.getCurrentThreadCpuTime() - load) / 1e9;
        int queries = 20_000;
        for (int i = 0; i < queries; i++) {
            long hash = random.nextLong();
            if (i % 2 == 0) {
                hash = random.nextLong() ^ (1L << random.nextInt(64)); // misses; and near copies of history rows below
            }
            index.add(new DocumentRank("file:///q", i, 0, "q" + i), hash);
        }
        long decide = threads.getCurrentThreadCpuTime();
        index.decide();
        double perQuery = (threads.getCurrentThreadCpuTime() - decide) / 1e3 / queries;
        Runtime.getRuntime().gc();
        long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        System.out.printf("RESULT history=%d load_s=%.2f lookup_us=%.1f index_heap_MB=%.0f heap_after_gc_MB=%.0f%n", history, loadSeconds, perQuery,
                index.heapBytes() / 1e6, heap / 1e6);
    }
}
