package dev.janus.core.io;

import dev.janus.core.DType;
import dev.janus.core.Tensor;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Run in a child JVM by {@link KillDuringSaveTest}: saves two different files over one target until killed. */
public final class SaveLoop {
    static final int ELEMENTS = 1 << 22;

    private SaveLoop() {
    }

    static Map<String, Tensor> content(int which) {
        return Map.of("w", Tensor.full(which, DType.FLOAT32, ELEMENTS), "which", Tensor.scalar(which, DType.INT64));
    }

    public static void main(String[] args) {
        Path target = Path.of(args[0]);
        List<Map<String, Tensor>> both = List.of(content(0), content(1));   // made once: the loop is nearly all writing
        for (int i = 0; ; i++) {
            SafeTensors.save(target, both.get(i % 2));
            if (i == 0) {
                System.out.println("saved");
                System.out.flush();
            }
        }
    }
}
