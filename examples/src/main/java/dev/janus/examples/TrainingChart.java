package dev.janus.examples;

import dev.janus.core.JanusException;
import dev.janus.core.io.AtomicFile;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Training curves as one PNG (drawn with XChart): loss per epoch on the left, accuracy on the right,
 * training and validation, one colour per run. Each run after the first is drawn dashed over the
 * ones before, so runs that agree show as one line.
 */
public final class TrainingChart {
    private static final Color[][] COLOURS = {
        {new Color(31, 119, 180), new Color(44, 160, 44)},
        {new Color(255, 127, 14), new Color(214, 39, 40)},
        {new Color(148, 103, 189), new Color(140, 86, 75)},
    };

    private TrainingChart() {
    }

    /**
     * Writes the curves of each run ("eager" -> its history) to {@code png}, through a temporary
     * file and a rename. The charts show "loss"/"val_loss" and "accuracy"/"val_accuracy" where present.
     */
    public static Path write(Path png, String title, Map<String, Map<String, List<Double>>> runs) {
        List<XYChart> charts = new ArrayList<>();
        charts.add(chart(title + ": loss", "loss", runs, "loss"));
        boolean accuracy = runs.values().stream().anyMatch(h -> h.containsKey("accuracy"));
        if (accuracy) charts.add(chart(title + ": accuracy", "accuracy", runs, "accuracy"));
        return savePng(png, charts);
    }

    /** Charts side by side in one PNG, written through a temporary file and a rename. */
    static <C extends Chart<?, ?>> Path savePng(Path png, List<C> charts) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            BitmapEncoder.saveBitmap(charts, 1, charts.size(), bytes, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new JanusException("cannot draw the chart " + png + ": " + e.getMessage(), e);
        }
        Path dir = png.toAbsolutePath().getParent();
        if (dir != null) Compare.createFolder(dir);
        AtomicFile.write(png, bytes.toByteArray(), "the chart");
        return png;
    }

    private static XYChart chart(String title, String yTitle, Map<String, Map<String, List<Double>>> runs, String key) {
        XYChart c = new XYChartBuilder().width(640).height(440).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        c.getStyler().setLegendPosition(key.equals("loss") ? Styler.LegendPosition.InsideNE : Styler.LegendPosition.InsideSE);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotBackgroundColor(Color.WHITE);
        c.getStyler().setMarkerSize(4);
        int run = 0;
        for (Map.Entry<String, Map<String, List<Double>>> r : runs.entrySet()) {
            Color[] colour = COLOURS[run % COLOURS.length];
            String[] keys = {key, "val_" + key};
            String[] labels = {"training", "validation"};
            for (int i = 0; i < keys.length; i++) {
                List<Double> values = r.getValue().get(keys[i]);
                if (values == null || values.isEmpty()) continue;
                List<Integer> epochs = new ArrayList<>();
                for (int e = 1; e <= values.size(); e++) epochs.add(e);
                XYSeries s = c.addSeries(r.getKey() + ", " + labels[i], epochs, values);
                s.setLineColor(colour[i]);
                s.setMarkerColor(colour[i]);
                s.setLineStyle(run == 0 ? SeriesLines.SOLID : SeriesLines.DASH_DASH);
                s.setMarker(run == 0 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            }
            run++;
        }
        return c;
    }
}
