package dev.janus.layers.conv;

import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.ops.Emitter;
import dev.janus.layers.Layer;

import java.util.Arrays;

/**
 * Keras's channels-last images on the channels-first op set: the transposes in and out, and the
 * explicit pads of Keras's "valid" and "same" windows, for Conv2D and the pooling layers.
 */
final class Windows {
    private Windows() {
    }

    /** (batch, height, width, channels) to (batch, channels, height, width), the ops' layout. */
    static <V> V channelsFirst(Emitter<V> e, V x) {
        return e.transpose(x, 0, 3, 1, 2);
    }

    static <V> V channelsLast(Emitter<V> e, V x) {
        return e.transpose(x, 0, 2, 3, 1);
    }

    /** One value for both axes or two, each at least 1. */
    static int[] pair(String layer, String what, int[] v) {
        if (v.length != 1 && v.length != 2) throw new JanusException(layer + ": " + what + " needs 1 or 2 values, got " + Arrays.toString(v));
        int[] out = v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
        for (int x : out) if (x < 1) throw new JanusException(layer + ": " + what + " must be positive, got " + Arrays.toString(v));
        return out;
    }

    static String padding(String layer, String padding) {
        if (!"valid".equals(padding) && !"same".equals(padding)) {
            throw new JanusException(layer + ": padding must be \"valid\" or \"same\", got \"" + padding + "\"");
        }
        return padding;
    }

    /**
     * The window's explicit pads (top, left, bottom, right, as the ops take them) over a
     * channels-last input, which must be an image with known height and width at least the
     * (dilated) kernel for "valid". "same" pads as TensorFlow: output ceil(size / stride), the odd
     * pixel at the end.
     */
    static int[] pads(Layer layer, Shape input, int[] kernel, int[] strides, int[] dilation, String padding) {
        String expected = layer.typeName() + " expected input (batch, height, width, channels)";
        if (input.rank() != 4 || input.dim(1) == Shape.DYNAMIC || input.dim(2) == Shape.DYNAMIC) {
            throw new ShapeException(layer.name() + ": " + expected + " with known height and width, got " + Layer.describe(input));
        }
        int[] pads = new int[4];
        for (int i = 0; i < 2; i++) {
            int size = input.dim(1 + i), extent = (kernel[i] - 1) * dilation[i] + 1;
            if (padding.equals("same")) {
                int out = (size + strides[i] - 1) / strides[i];
                int total = Math.max(0, (out - 1) * strides[i] + extent - size);
                pads[i] = total / 2;
                pads[2 + i] = total - total / 2;
            } else if (size < extent) {
                int[] k = {(kernel[0] - 1) * dilation[0] + 1, (kernel[1] - 1) * dilation[1] + 1};
                throw new ShapeException(layer.name() + ": " + expected + " with height >= " + k[0] + " and width >= " + k[1]
                        + ", got " + Layer.describe(input));
            }
        }
        return pads;
    }

    /** The channels-last output shape of the window with these pads. */
    static Shape output(Shape input, int[] kernel, int[] strides, int[] dilation, int[] pads, int channels) {
        int[] out = new int[2];
        for (int i = 0; i < 2; i++) {
            int extent = (kernel[i] - 1) * dilation[i] + 1;
            out[i] = (input.dim(1 + i) + pads[i] + pads[2 + i] - extent) / strides[i] + 1;
        }
        return Shape.of(input.dim(0), out[0], out[1], channels);
    }
}
