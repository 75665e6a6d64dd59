package dev.janus.serving;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A model's settings: the optional {@code config.json} beside its version folders, in the field
 * names of Triton's model configuration, for example
 *
 * <pre>{@code
 * {"backend": "janus", "max_batch_size": 64,
 *  "dynamic_batching": {"max_queue_delay_microseconds": 200, "default_queue_policy": {"max_queue_size": 1024}},
 *  "instance_group": [{"count": 1}], "version_policy": {"latest": {"num_versions": 1}}}
 * }</pre>
 *
 * {@code backend} is "janus" (the compiled plan, the default) or "onnxruntime" (for ops Janus
 * lacks). Without {@code max_batch_size} a model batches (up to the server's default) when every
 * input's first dimension is dynamic, and does not otherwise; 0 turns batching off. Unknown fields
 * are an error, so a misspelt setting is never silently ignored.
 */
final class ModelConfig {
    static final String FILE = "config.json";
    static final int MAX_INSTANCES = 64, MAX_BATCH = 1 << 16, MAX_QUEUE = 1 << 20;

    enum Backend { JANUS, ONNXRUNTIME }

    final Backend backend;
    /** null: decided from the model's inputs. */
    final Integer maxBatchSize;
    final boolean dynamicBatching;
    final long maxQueueDelayMicros;
    /** 0: the server's default. */
    final int maxQueueSize;
    /** 0: the server's default. */
    final int instanceCount;
    /** Version policy: keep the newest {@code latest} versions, or all ({@code latest} 0), or exactly {@code specific}. */
    final int latest;
    final Set<Long> specific;

    ModelConfig(Backend backend, Integer maxBatchSize, boolean dynamicBatching, long maxQueueDelayMicros, int maxQueueSize,
                int instanceCount, int latest, Set<Long> specific) {
        this.backend = backend;
        this.maxBatchSize = maxBatchSize;
        this.dynamicBatching = dynamicBatching;
        this.maxQueueDelayMicros = maxQueueDelayMicros;
        this.maxQueueSize = maxQueueSize;
        this.instanceCount = instanceCount;
        this.latest = latest;
        this.specific = specific;
    }

    /** Triton's defaults: the Janus engine, batching decided from the model, no dynamic batching, the latest version. */
    static ModelConfig defaults() {
        return new ModelConfig(Backend.JANUS, null, false, 0, 0, 0, 1, Set.of());
    }

    /** Which of these versions the policy serves. */
    List<Long> select(Set<Long> available) {
        List<Long> out = new ArrayList<>();
        if (!specific.isEmpty()) {
            for (long v : new TreeSet<>(available)) if (specific.contains(v)) out.add(v);
        } else {
            List<Long> sorted = new ArrayList<>(new TreeSet<>(available));
            int from = latest == 0 ? 0 : Math.max(0, sorted.size() - latest);
            out.addAll(sorted.subList(from, sorted.size()));
        }
        return out;
    }

    /** Reads a config.json tree for the model {@code model}; throws IllegalArgumentException naming the bad field. */
    static ModelConfig parse(JsonNode root, String model) {
        if (!root.isObject()) throw new IllegalArgumentException("the config must be a JSON object");
        only(root, "", "name", "backend", "platform", "max_batch_size", "dynamic_batching", "instance_group", "version_policy");
        if (root.has("name") && !model.equals(text(root.get("name"), "name"))) {
            throw new IllegalArgumentException("\"name\" is '" + root.get("name").asText() + "', but the model's folder is '" + model + "'");
        }
        Backend backend = Backend.JANUS;
        if (root.has("backend")) backend = backend(text(root.get("backend"), "backend"), "backend");
        if (root.has("platform")) {
            String p = text(root.get("platform"), "platform");
            if (!p.equals("onnxruntime_onnx") && !p.equals("janus")) {
                throw new IllegalArgumentException("\"platform\" must be \"onnxruntime_onnx\" or \"janus\", got '" + p + "'");
            }
            Backend b = p.equals("janus") ? Backend.JANUS : Backend.ONNXRUNTIME;
            if (root.has("backend") && b != backend) throw new IllegalArgumentException("\"platform\" and \"backend\" disagree");
            backend = b;
        }
        Integer maxBatch = root.has("max_batch_size") ? (int) integer(root.get("max_batch_size"), "max_batch_size", 0, MAX_BATCH) : null;
        boolean dynamic = false;
        long delay = 0;
        int queue = 0;
        JsonNode db = root.get("dynamic_batching");
        if (db != null) {
            if (!db.isObject()) throw new IllegalArgumentException("\"dynamic_batching\" must be an object");
            only(db, "dynamic_batching.", "max_queue_delay_microseconds", "default_queue_policy", "preferred_batch_size");
            dynamic = true;
            if (db.has("max_queue_delay_microseconds")) {
                delay = integer(db.get("max_queue_delay_microseconds"), "dynamic_batching.max_queue_delay_microseconds", 0, 10_000_000);
            }
            JsonNode qp = db.get("default_queue_policy");
            if (qp != null) {
                if (!qp.isObject()) throw new IllegalArgumentException("\"dynamic_batching.default_queue_policy\" must be an object");
                only(qp, "dynamic_batching.default_queue_policy.", "max_queue_size");
                if (qp.has("max_queue_size")) {
                    queue = (int) integer(qp.get("max_queue_size"), "dynamic_batching.default_queue_policy.max_queue_size", 1, MAX_QUEUE);
                }
            }
            if (db.has("preferred_batch_size") && !db.get("preferred_batch_size").isArray()) {
                throw new IllegalArgumentException("\"dynamic_batching.preferred_batch_size\" must be an array");
            }
        }
        if (dynamic && maxBatch != null && maxBatch == 0) {
            throw new IllegalArgumentException("dynamic batching needs \"max_batch_size\" of at least 1");
        }
        int instances = 0;
        JsonNode ig = root.get("instance_group");
        if (ig != null) {
            if (!ig.isArray() || ig.size() != 1 || !ig.get(0).isObject()) {
                throw new IllegalArgumentException("\"instance_group\" must be a list of one object, such as [{\"count\": 2}]");
            }
            only(ig.get(0), "instance_group[0].", "count", "kind");
            if (ig.get(0).has("kind") && !"KIND_CPU".equals(ig.get(0).get("kind").asText())) {
                throw new IllegalArgumentException("\"instance_group[0].kind\" can only be \"KIND_CPU\"");
            }
            if (ig.get(0).has("count")) instances = (int) integer(ig.get(0).get("count"), "instance_group[0].count", 1, MAX_INSTANCES);
        }
        int latest = 1;
        Set<Long> specific = Set.of();
        JsonNode vp = root.get("version_policy");
        if (vp != null) {
            if (!vp.isObject() || vp.size() != 1) {
                throw new IllegalArgumentException("\"version_policy\" must hold one of \"latest\", \"all\", \"specific\"");
            }
            only(vp, "version_policy.", "latest", "all", "specific");
            if (vp.has("latest")) {
                JsonNode l = vp.get("latest");
                only(l, "version_policy.latest.", "num_versions");
                latest = (int) integer(l.get("num_versions"), "version_policy.latest.num_versions", 1, 1000);
            } else if (vp.has("all")) {
                latest = 0;
            } else {
                JsonNode s = vp.get("specific");
                only(s, "version_policy.specific.", "versions");
                JsonNode vs = s.get("versions");
                if (vs == null || !vs.isArray() || vs.isEmpty()) throw new IllegalArgumentException("\"version_policy.specific.versions\" must be a non-empty list");
                Set<Long> set = new TreeSet<>();
                for (JsonNode v : vs) set.add(integer(v, "version_policy.specific.versions", 1, Long.MAX_VALUE));
                specific = Set.copyOf(set);
            }
        }
        return new ModelConfig(backend, maxBatch, dynamic, delay, queue, instances, latest, specific);
    }

    private static Backend backend(String s, String field) {
        switch (s) {
            case "janus": return Backend.JANUS;
            case "onnxruntime": return Backend.ONNXRUNTIME;
            default: throw new IllegalArgumentException("\"" + field + "\" must be \"janus\" or \"onnxruntime\", got '" + s + "'");
        }
    }

    private static void only(JsonNode node, String prefix, String... allowed) {
        if (node == null || !node.isObject()) throw new IllegalArgumentException("\"" + prefix.replaceAll("\\.$", "") + "\" must be an object");
        Set<String> ok = Set.of(allowed);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ok.contains(f)) throw new IllegalArgumentException("unknown field \"" + prefix + f + "\" (known: " + String.join(", ", allowed) + ")");
        }
    }

    private static String text(JsonNode n, String field) {
        if (!n.isTextual()) throw new IllegalArgumentException("\"" + field + "\" must be a string");
        return n.asText();
    }

    /** Triton's JSON configs give 64-bit numbers as strings too ("max_batch_size": "8"). */
    private static long integer(JsonNode n, String field, long min, long max) {
        long v;
        if (n != null && n.isIntegralNumber() && n.canConvertToLong()) {
            v = n.asLong();
        } else if (n != null && n.isTextual() && n.asText().matches("-?\\d{1,18}")) {
            v = Long.parseLong(n.asText());
        } else {
            throw new IllegalArgumentException("\"" + field + "\" must be a whole number");
        }
        if (v < min || v > max) throw new IllegalArgumentException("\"" + field + "\" must be in [" + min + ", " + max + "], got " + v);
        return v;
    }
}
