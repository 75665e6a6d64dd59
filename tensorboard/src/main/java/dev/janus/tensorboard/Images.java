package dev.janus.tensorboard;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;

/**
 * Pictures for TensorBoard's image dashboard: tensors to images with PyTorch's
 * {@code add_image}/{@code add_images} conventions (float values in [0, 1] scaled to 0..255,
 * integer values taken as 0..255, clipped; 1, 3 or 4 channels: grey, RGB, RGBA; several images
 * laid out in a grid up to 8 wide), and images to PNG through the JDK's ImageIO.
 */
public final class Images {
    private Images() {
    }

    /** The image as PNG bytes. */
    public static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) throw new JanusException("no PNG writer for an image of type " + image.getType());
        } catch (IOException e) {
            throw new JanusException("cannot encode the image as PNG: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** How many channels TensorBoard should be told (1 grey, 3 RGB, 4 RGBA). */
    static int channels(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) return 1;
        return image.getColorModel().hasAlpha() ? 4 : 3;
    }

    /**
     * One image from a tensor laid out as {@code dataformats}: "CHW" (PyTorch's default), "HWC" or
     * "HW", with 1, 3 or 4 channels.
     */
    public static BufferedImage fromTensor(Tensor image, String dataformats) {
        String f = dataformats.toUpperCase(Locale.ROOT);
        if (!f.equals("CHW") && !f.equals("HWC") && !f.equals("HW")) {
            throw new JanusException("image: dataformats must be CHW, HWC or HW, got '" + dataformats + "'");
        }
        if (image.rank() != f.length()) {
            throw new JanusException("image: dataformats " + f + " needs a tensor of rank " + f.length() + ", got shape " + image.shape());
        }
        int c = f.equals("HW") ? 1 : image.dim(f.indexOf('C')), h = image.dim(f.indexOf('H')), w = image.dim(f.indexOf('W'));
        checkChannels(c, image);
        BufferedImage out = blank(c, w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] px = new int[c];
                for (int k = 0; k < c; k++) {
                    int i = switch (f) {
                        case "CHW" -> (k * h + y) * w + x;
                        case "HWC" -> (y * w + x) * c + k;
                        default -> y * w + x;
                    };
                    px[k] = level(image, i);
                }
                out.getRaster().setPixel(x, y, px);
            }
        }
        return out;
    }

    /**
     * Several images [N, C, H, W] ("NCHW") or [N, H, W, C] ("NHWC") side by side, 8 to a row, as
     * PyTorch's {@code add_images} lays them out (no gaps); the rest of the last row stays black.
     */
    public static BufferedImage grid(Tensor images, String dataformats) {
        String f = dataformats.toUpperCase(Locale.ROOT);
        if (!f.equals("NCHW") && !f.equals("NHWC")) throw new JanusException("images: dataformats must be NCHW or NHWC, got '" + dataformats + "'");
        if (images.rank() != 4 || images.dim(0) == 0) throw new JanusException("images: expected a tensor [N, ...] of rank 4 with N >= 1, got shape " + images.shape());
        boolean chw = f.equals("NCHW");
        int n = images.dim(0), c = images.dim(chw ? 1 : 3), h = images.dim(chw ? 2 : 1), w = images.dim(chw ? 3 : 2);
        checkChannels(c, images);
        int cols = Math.min(n, 8), rows = (n + cols - 1) / cols;
        BufferedImage out = blank(c, w * cols, h * rows);
        int[] px = new int[c];
        for (int m = 0; m < n; m++) {
            int x0 = (m % cols) * w, y0 = (m / cols) * h, base = m * c * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int k = 0; k < c; k++) px[k] = level(images, base + (chw ? (k * h + y) * w + x : (y * w + x) * c + k));
                    out.getRaster().setPixel(x0 + x, y0 + y, px);
                }
            }
        }
        return out;
    }

    /** The tensor's values mapped linearly onto [0, 1], smallest to 0 and largest to 1 (all 0.5 when they are equal): weights as pictures. */
    public static Tensor rescaled(Tensor t) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < t.numel(); i++) {
            lo = Math.min(lo, t.readDouble(i));
            hi = Math.max(hi, t.readDouble(i));
        }
        double[] out = new double[t.numel()];
        for (int i = 0; i < out.length; i++) out[i] = hi > lo ? (t.readDouble(i) - lo) / (hi - lo) : 0.5;
        return Tensor.of(out, t.shape().dims());
    }

    private static void checkChannels(int c, Tensor t) {
        if (c != 1 && c != 3 && c != 4) throw new JanusException("image: expected 1, 3 or 4 channels, got " + c + " (shape " + t.shape() + ")");
        if (t.dtype() == DType.BOOL) throw new JanusException("image: bool tensors are not images");
    }

    private static BufferedImage blank(int channels, int w, int h) {
        if (w < 1 || h < 1) throw new JanusException("image: width and height must be >= 1, got " + w + "x" + h);
        int type = channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : channels == 3 ? BufferedImage.TYPE_3BYTE_BGR : BufferedImage.TYPE_4BYTE_ABGR;
        return new BufferedImage(w, h, type);
    }

    /** 0..255: floats scaled from [0, 1], integers as they are; clipped. */
    private static int level(Tensor t, int i) {
        double v = t.readDouble(i);
        if (Double.isNaN(v)) throw new JanusException("image: value " + i + " is NaN");
        double scaled = t.dtype().isFloating() ? v * 255 : v;
        return (int) Math.max(0, Math.min(255, Math.round(scaled)));
    }
}
