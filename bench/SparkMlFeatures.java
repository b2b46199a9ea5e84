import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import static org.apache.spark.sql.functions.col;

/**
 * The peer of Kiln's feature steps in bench/spark-ml-features.sh: Spark ML's Imputer (mean of delay), StringIndexer
 * (origin, by frequency, unseen kept) with OneHotEncoder (no dropped last), and StandardScaler (distance, mean and
 * sample std) fitted and applied to the flights Parquet, the result written as Parquet. Prints one JSON line: rows,
 * the process's CPU seconds and the wall seconds from the read to the end of the write, and the fitted statistics.
 *
 * Usage: SparkMlFeatures INPUT.parquet OUTPUT_DIR THREADS
 */
public final class SparkMlFeatures {
    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().master("local[" + args[2] + "]").appName("kiln-bench-ml")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", args[2]).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long wall = System.nanoTime();
        Dataset<Row> flights = spark.read().parquet(args[0])
                .withColumn("delay_d", col("delay").cast("double"))
                .withColumn("distance_d", col("distance").cast("double"));
        Imputer imputer = new Imputer().setInputCols(new String[] {"delay_d"}).setOutputCols(new String[] {"delay_imputed"}).setStrategy("mean");
        StringIndexer indexer = new StringIndexer().setInputCol("origin").setOutputCol("origin_index").setHandleInvalid("keep")
                .setStringOrderType("frequencyDesc");
        OneHotEncoder onehot = new OneHotEncoder().setInputCols(new String[] {"origin_index"}).setOutputCols(new String[] {"origin_onehot"})
                .setDropLast(false).setHandleInvalid("keep");
        VectorAssembler assembler = new VectorAssembler().setInputCols(new String[] {"distance_d"}).setOutputCol("distance_vector");
        StandardScaler scaler = new StandardScaler().setInputCol("distance_vector").setOutputCol("distance_scaled").setWithMean(true).setWithStd(true);
        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {imputer, indexer, onehot, assembler, scaler}).fit(flights);
        Dataset<Row> out = model.transform(flights);
        out.write().mode("overwrite").parquet(args[1]);
        double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
        double wallSeconds = (System.nanoTime() - wall) / 1e9;
        long rows = spark.read().parquet(args[1]).count();
        double delayMean = ((ImputerModel) model.stages()[0]).surrogateDF().first().getDouble(0);
        String[] labels = ((StringIndexerModel) model.stages()[1]).labelsArray()[0];
        StandardScalerModel scaled = (StandardScalerModel) model.stages()[4];
        System.out.println(String.format(Locale.ROOT, "{\"rows\": %d, \"cpu_s\": %.3f, \"wall_s\": %.3f, \"delay_mean\": %.17g, \"distance_mean\": %.17g, "
                + "\"distance_std\": %.17g, \"origins\": %d, \"first_origins\": \"%s\", \"spark_version\": \"%s\"}", rows, cpuSeconds, wallSeconds, delayMean,
                scaled.mean().apply(0), scaled.std().apply(0), labels.length, String.join(",", Arrays.copyOf(labels, Math.min(5, labels.length))), spark.version()));
        spark.stop();
    }
}
