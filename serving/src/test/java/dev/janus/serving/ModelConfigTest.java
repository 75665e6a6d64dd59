package dev.janus.serving;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelConfigTest {
    static ModelConfig parse(String json) throws Exception {
        return ModelConfig.parse(JsonMappers.MAPPER.readTree(json), "m");
    }

    @Test
    void tritonFieldNames() throws Exception {
        ModelConfig c = parse("{\"name\": \"m\", \"backend\": \"onnxruntime\", \"max_batch_size\": \"8\", \"dynamic_batching\": {\"max_queue_delay_microseconds\": 250,"
                + " \"default_queue_policy\": {\"max_queue_size\": 16}, \"preferred_batch_size\": [4, 8]}, \"instance_group\": [{\"count\": 2, \"kind\": \"KIND_CPU\"}],"
                + " \"version_policy\": {\"latest\": {\"num_versions\": 2}}}");
        assertEquals(ModelConfig.Backend.ONNXRUNTIME, c.backend);
        assertEquals(8, c.maxBatchSize);
        assertTrue(c.dynamicBatching);
        assertEquals(250, c.maxQueueDelayMicros);
        assertEquals(16, c.maxQueueSize);
        assertEquals(2, c.instanceCount);
        assertEquals(List.of(3L, 7L), c.select(Set.of(1L, 3L, 7L)));
        assertEquals(List.of(1L, 3L), parse("{\"version_policy\": {\"specific\": {\"versions\": [1, 3, 9]}}}").select(Set.of(1L, 2L, 3L)));
        assertEquals(List.of(1L, 2L, 3L), parse("{\"version_policy\": {\"all\": {}}}").select(Set.of(3L, 1L, 2L)));
        assertEquals(ModelConfig.Backend.ONNXRUNTIME, parse("{\"platform\": \"onnxruntime_onnx\"}").backend);
        ModelConfig d = parse("{}");
        assertNull(d.maxBatchSize);
        assertFalse(d.dynamicBatching);
        assertEquals(List.of(3L), d.select(Set.of(1L, 3L)));
    }

    @Test
    void mistakesAreNamed() {
        String[][] cases = {
            {"[]", "must be a JSON object"},
            {"{\"max_batch\": 4}", "unknown field \"max_batch\""},
            {"{\"name\": \"other\"}", "the model's folder is 'm'"},
            {"{\"backend\": \"tensorrt\"}", "\"backend\" must be \"janus\" or \"onnxruntime\""},
            {"{\"max_batch_size\": -1}", "\"max_batch_size\" must be in [0, 65536]"},
            {"{\"max_batch_size\": 1.5}", "\"max_batch_size\" must be a whole number"},
            {"{\"max_batch_size\": 0, \"dynamic_batching\": {}}", "dynamic batching needs"},
            {"{\"dynamic_batching\": {\"max_queue_delay_microseconds\": 99999999}}", "max_queue_delay_microseconds\" must be in"},
            {"{\"dynamic_batching\": {\"default_queue_policy\": {\"max_queue_size\": 0}}}", "max_queue_size\" must be in"},
            {"{\"instance_group\": [{\"count\": 1000}]}", "count\" must be in [1, 64]"},
            {"{\"instance_group\": [{\"kind\": \"KIND_GPU\"}]}", "KIND_CPU"},
            {"{\"version_policy\": {\"latest\": {\"num_versions\": 0}}}", "num_versions\" must be in"},
            {"{\"version_policy\": {\"latest\": {}, \"all\": {}}}", "one of"},
            {"{\"version_policy\": {\"specific\": {\"versions\": []}}}", "non-empty list"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }
}
