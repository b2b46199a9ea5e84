package io.kiln.checks;

import java.util.List;
import java.util.Map;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/** Conversions between Java and Scala 2.12 collections. */
final class Scala {
    private Scala() {}

    static <T> Seq<T> seq(List<T> list) {
        return JavaConverters.asScalaBuffer(list).toList();
    }

    static <T> List<T> list(Seq<T> seq) {
        return JavaConverters.seqAsJavaList(seq);
    }

    static <K, V> Map<K, V> map(scala.collection.Map<K, V> map) {
        return JavaConverters.mapAsJavaMap(map);
    }

    @SuppressWarnings("unchecked")
    static <K, V> scala.collection.immutable.Map<K, V> immutableMap(Map<K, V> map) {
        scala.collection.immutable.Map<K, V> result = (scala.collection.immutable.Map<K, V>) scala.collection.immutable.Map$.MODULE$.empty();
        for (Map.Entry<K, V> entry : map.entrySet()) {
            result = result.updated(entry.getKey(), entry.getValue());
        }
        return result;
    }
}
