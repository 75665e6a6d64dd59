package dev.janus.tensorboard;

import com.google.protobuf.ByteString;
import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import dev.janus.core.JanusException;
import dev.janus.tensorboard.proto.HParamsProtos.Experiment;
import dev.janus.tensorboard.proto.HParamsProtos.HParamInfo;
import dev.janus.tensorboard.proto.HParamsProtos.HParamsPluginData;
import dev.janus.tensorboard.proto.HParamsProtos.MetricInfo;
import dev.janus.tensorboard.proto.HParamsProtos.MetricName;
import dev.janus.tensorboard.proto.HParamsProtos.SessionEndInfo;
import dev.janus.tensorboard.proto.HParamsProtos.SessionStartInfo;
import dev.janus.tensorboard.proto.HParamsProtos.Status;
import dev.janus.tensorboard.proto.TensorBoardProtos.DataType;
import dev.janus.tensorboard.proto.TensorBoardProtos.HistogramProto;
import dev.janus.tensorboard.proto.TensorBoardProtos.Summary;
import dev.janus.tensorboard.proto.TensorBoardProtos.SummaryMetadata;
import dev.janus.tensorboard.proto.TensorBoardProtos.TensorProto;
import dev.janus.tensorboard.proto.TensorBoardProtos.TensorShapeProto;
import dev.janus.tensorboard.proto.TensorBoardProtos.TextPluginData;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The summary values TensorBoard's dashboards read, built as its own writers build them: scalars
 * ({@code simple_value}), histograms ({@code histo}, {@link Histograms}' buckets), images (PNG in
 * {@code image}), text (the text plugin's string tensor, tag suffixed "/text_summary" as PyTorch
 * does) and the hparams plugin's experiment, session-start and session-end summaries.
 */
public final class Summaries {
    /** The hparams plugin's tags and name. */
    static final String HPARAMS_PLUGIN = "hparams", EXPERIMENT_TAG = "_hparams_/experiment",
            SESSION_START_TAG = "_hparams_/session_start_info", SESSION_END_TAG = "_hparams_/session_end_info";

    private Summaries() {
    }

    public static Summary scalar(String tag, double value) {
        checkTag(tag);
        return one(Summary.Value.newBuilder().setTag(tag).setSimpleValue((float) value));
    }

    public static Summary histogram(String tag, double[] values) {
        checkTag(tag);
        return histogram(tag, Histograms.of(values));
    }

    public static Summary histogram(String tag, HistogramProto histogram) {
        checkTag(tag);
        return one(Summary.Value.newBuilder().setTag(tag).setHisto(histogram));
    }

    public static Summary image(String tag, BufferedImage image) {
        checkTag(tag);
        Summary.Image img = Summary.Image.newBuilder().setHeight(image.getHeight()).setWidth(image.getWidth())
                .setColorspace(Images.channels(image)).setEncodedImageString(ByteString.copyFrom(Images.png(image))).build();
        return one(Summary.Value.newBuilder().setTag(tag).setImage(img));
    }

    public static Summary text(String tag, String text) {
        checkTag(tag);
        Objects.requireNonNull(text, "text");
        SummaryMetadata meta = metadata("text", TextPluginData.newBuilder().setVersion(0).build().toByteString());
        TensorProto t = TensorProto.newBuilder().setDtype(DataType.DT_STRING)
                .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
                .addStringVal(ByteString.copyFrom(text, StandardCharsets.UTF_8)).build();
        return one(Summary.Value.newBuilder().setTag(tag + "/text_summary").setMetadata(meta).setTensor(t));
    }

    /**
     * The hparams plugin's experiment: which hyperparameters there are (their type read from the
     * values: number, text or boolean) and which metric tags to show beside them.
     */
    public static Summary hparamsExperiment(Map<String, ?> hparams, List<String> metricTags) {
        Experiment.Builder e = Experiment.newBuilder();
        for (Map.Entry<String, ?> h : hparams.entrySet()) {
            HParamInfo.Builder info = HParamInfo.newBuilder().setName(h.getKey());
            Value v = hparamValue(h.getKey(), h.getValue());
            switch (v.getKindCase()) {
                case NUMBER_VALUE -> info.setType(dev.janus.tensorboard.proto.HParamsProtos.DataType.DATA_TYPE_FLOAT64);
                case BOOL_VALUE -> info.setType(dev.janus.tensorboard.proto.HParamsProtos.DataType.DATA_TYPE_BOOL)
                        .setDomainDiscrete(ListValue.newBuilder().addValues(Value.newBuilder().setBoolValue(false)).addValues(Value.newBuilder().setBoolValue(true)));
                default -> info.setType(dev.janus.tensorboard.proto.HParamsProtos.DataType.DATA_TYPE_STRING);
            }
            e.addHparamInfos(info);
        }
        for (String m : metricTags) {
            checkTag(m);
            e.addMetricInfos(MetricInfo.newBuilder().setName(MetricName.newBuilder().setTag(m)));
        }
        return hparams(EXPERIMENT_TAG, HParamsPluginData.newBuilder().setExperiment(e));
    }

    /** The hparams plugin's session start: this run's values of the hyperparameters. */
    public static Summary hparamsSessionStart(Map<String, ?> hparams, double startTimeSecs) {
        SessionStartInfo.Builder s = SessionStartInfo.newBuilder().setStartTimeSecs(startTimeSecs);
        for (Map.Entry<String, ?> h : hparams.entrySet()) s.putHparams(h.getKey(), hparamValue(h.getKey(), h.getValue()));
        return hparams(SESSION_START_TAG, HParamsPluginData.newBuilder().setSessionStartInfo(s));
    }

    /** The hparams plugin's session end: the run finished. */
    public static Summary hparamsSessionEnd(double endTimeSecs) {
        return hparams(SESSION_END_TAG, HParamsPluginData.newBuilder()
                .setSessionEndInfo(SessionEndInfo.newBuilder().setStatus(Status.STATUS_SUCCESS).setEndTimeSecs(endTimeSecs)));
    }

    private static Summary hparams(String tag, HParamsPluginData.Builder data) {
        SummaryMetadata meta = metadata(HPARAMS_PLUGIN, data.setVersion(0).build().toByteString());
        // The plugin reads only the metadata; the value is the empty float tensor its own writer uses.
        TensorProto nothing = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(0))).build();
        return one(Summary.Value.newBuilder().setTag(tag).setMetadata(meta).setTensor(nothing));
    }

    private static Value hparamValue(String name, Object v) {
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) throw new JanusException("hparams: '" + name + "' is " + d + "; TensorBoard takes finite numbers");
            return Value.newBuilder().setNumberValue(d).build();
        }
        if (v instanceof Boolean b) return Value.newBuilder().setBoolValue(b).build();
        if (v instanceof String s) return Value.newBuilder().setStringValue(s).build();
        throw new JanusException("hparams: '" + name + "' is " + (v == null ? "null" : "a " + v.getClass().getSimpleName())
                + "; TensorBoard takes numbers, strings and booleans");
    }

    private static SummaryMetadata metadata(String plugin, ByteString content) {
        return SummaryMetadata.newBuilder().setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName(plugin).setContent(content)).build();
    }

    private static Summary one(Summary.Value.Builder v) {
        return Summary.newBuilder().addValue(v).build();
    }

    static void checkTag(String tag) {
        if (tag == null || tag.isEmpty()) throw new JanusException("a summary needs a non-empty tag");
    }
}
