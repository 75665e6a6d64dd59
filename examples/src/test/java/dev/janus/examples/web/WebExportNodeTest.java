package dev.janus.examples.web;

import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.testing.NodeJs;
import dev.janus.examples.DigitsData;
import dev.janus.examples.EagerTrainer;
import dev.janus.examples.IrisData;
import dev.janus.examples.WebPages;
import dev.janus.export.ExportOptions;
import dev.janus.export.ModelExport;
import dev.janus.export.OnnxImporter;
import dev.janus.export.WebOptions;
import dev.janus.layers.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generated model.js of each example model, run under Node on the whole test set, gives
 * Janus's predictions: every output within 1e-5 of the largest, and the same class for every sample.
 */
class WebExportNodeTest {
    @TempDir
    Path dir;

    /** Compares and returns the largest difference relative to the largest output. */
    static double assertSameNumbers(String what, Tensor janus, double[] js) {
        assertEquals(janus.numel(), js.length, what + ": output count");
        int classes = janus.numel() / janus.dim(0);
        double worst = 0, scale = 0;
        for (int i = 0; i < js.length; i++) {
            worst = Math.max(worst, Math.abs(js[i] - janus.readDouble(i)));
            scale = Math.max(scale, Math.abs(janus.readDouble(i)));
        }
        double rel = worst / scale;
        assertTrue(rel <= 1e-5, String.format(Locale.ROOT, "%s: the JavaScript differs from Janus by %.3g of the largest output", what, rel));
        for (int r = 0; r < janus.dim(0); r++) {
            int a = 0, b = 0;
            for (int c = 1; c < classes; c++) {
                if (janus.readDouble(r * classes + c) > janus.readDouble(r * classes + a)) a = c;
                if (js[r * classes + c] > js[r * classes + b]) b = c;
            }
            assertEquals(a, b, what + ": the class of sample " + r);
        }
        return rel;
    }

    @Test
    void irisMlp() throws Exception {
        NodeJs.require();
        IrisData data = IrisData.load();
        Sequential model = WebModels.iris();
        Path js = WebPages.iris(model, dir).resolveSibling("model.js");
        assertSameNumbers("iris MLP", model.predict(data.xTest), NodeJs.predict(js, data.xTest.toDoubleArray()));
        long size = Files.size(js);
        assertTrue(size < 20_000, "model.js of the iris MLP (2,499 weights) is " + size + " bytes");
    }

    @Test
    void digitsCnn() throws Exception {
        NodeJs.require();
        Sequential model = WebModels.digitsCnn();
        Tensor x = DigitsData.shaped(DigitsData.load().test, 8, 8, 1);
        Path js = WebPages.digits(model, "digits", dir).resolveSibling("model.js");
        assertSameNumbers("digits CNN", model.predict(x), NodeJs.predict(js, x.toDoubleArray()));
    }

    @Test
    void digitsLstm() throws Exception {
        NodeJs.require();
        Sequential model = WebModels.digitsLstm();
        Tensor x = DigitsData.shaped(DigitsData.load().test, 8, 8);
        Path js = WebPages.digits(model, "digits", dir).resolveSibling("model.js");
        assertSameNumbers("digits LSTM", model.predict(x), NodeJs.predict(js, x.toDoubleArray()));
    }

    @Test
    void eagerCnnTracedChannelsFirst() throws Exception {
        NodeJs.require();
        dev.janus.eager.nn.NNSequential model = WebModels.digitsCnnEager();
        Tensor x = DigitsData.shaped(DigitsData.load().test, 1, 8, 8);
        Path js = ModelExport.toWeb(model, x, dir, WebOptions.defaults()).resolveSibling("model.js");
        assertSameNumbers("digits CNN, eager (traced)", EagerTrainer.predict(model, x), NodeJs.predict(js, x.toDoubleArray()));
    }

    @Test
    void anImportedOnnxFile() throws Exception {
        NodeJs.require();
        Sequential model = WebModels.digitsLstm();
        Path onnx = ModelExport.toOnnx(model, dir.resolve("digits_lstm.onnx"), ExportOptions.defaults());
        Graph imported = OnnxImporter.load(onnx);
        Tensor x = DigitsData.shaped(DigitsData.load().test, 8, 8);
        Path js = ModelExport.toWeb(imported, dir.resolve("web"), WebOptions.defaults()).resolveSibling("model.js");
        assertSameNumbers("digits LSTM through ONNX", model.predict(x), NodeJs.predict(js, x.toDoubleArray()));
    }

    @Test
    void aPlanForEightSamplesAtATime() throws Exception {
        NodeJs.require();
        Sequential model = WebModels.digitsCnn();
        Tensor x = DigitsData.shaped(DigitsData.load().test, 8, 8, 1);   // 360 samples: 45 runs of 8
        Path js = ModelExport.toWeb(model, dir, WebOptions.defaults().batchSize(7)).resolveSibling("model.js");
        assertTrue(Files.readString(js).contains("batchSize = 7"));
        assertSameNumbers("digits CNN, batch 7 (the last run padded)", model.predict(x), NodeJs.predict(js, x.toDoubleArray()));
    }
}
