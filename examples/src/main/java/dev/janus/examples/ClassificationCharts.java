package dev.janus.examples;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * What a classifier got right and wrong on a test set, as numbers and as pictures (drawn with
 * XChart): the confusion matrix (rows the true class, columns the predicted one) and each class's
 * precision and recall.
 */
public final class ClassificationCharts {
    private static final Color[] BLUES = {new Color(247, 251, 255), new Color(107, 174, 214), new Color(8, 48, 107)};

    private final List<String> classes;
    private final int[][] counts;

    /** From a model's outputs [N, classes] (the largest is the prediction) and the int labels [N]. */
    public ClassificationCharts(Tensor outputs, Tensor labels, List<String> classes) {
        if (outputs.rank() != 2 || outputs.dim(1) != classes.size() || labels.rank() != 1 || labels.dim(0) != outputs.dim(0)) {
            throw new JanusException("classification charts: expected outputs [N, " + classes.size() + "] and labels [N], got "
                    + outputs.shape() + " and " + labels.shape());
        }
        this.classes = List.copyOf(classes);
        int k = classes.size();
        counts = new int[k][k];
        for (int i = 0; i < outputs.dim(0); i++) {
            int best = 0;
            for (int j = 1; j < k; j++) if (outputs.readDouble(i * k + j) > outputs.readDouble(i * k + best)) best = j;
            int truth = (int) labels.readDouble(i);
            if (truth < 0 || truth >= k) throw new JanusException("classification charts: label " + truth + " of sample " + i + " is not a class 0.." + (k - 1));
            counts[truth][best]++;
        }
    }

    /** counts[true class][predicted class]. */
    public int[][] confusionMatrix() {
        int[][] copy = new int[counts.length][];
        for (int i = 0; i < counts.length; i++) copy[i] = counts[i].clone();
        return copy;
    }

    /** Of the samples predicted as class c, the share that are c (0 when none were). */
    public double precision(int c) {
        int predicted = 0;
        for (int[] row : counts) predicted += row[c];
        return predicted == 0 ? 0 : (double) counts[c][c] / predicted;
    }

    /** Of the samples of class c, the share predicted as c (0 when there are none). */
    public double recall(int c) {
        int actual = 0;
        for (int n : counts[c]) actual += n;
        return actual == 0 ? 0 : (double) counts[c][c] / actual;
    }

    /** The confusion matrix as a heat map with the counts written in, true classes from the top down. */
    public HeatMapChart confusionChart(String title) {
        int k = classes.size();
        HeatMapChart c = new HeatMapChartBuilder().width(480).height(420).title(title).xAxisTitle("predicted").yAxisTitle("true").build();
        style(c.getStyler());
        c.getStyler().setShowValue(true);
        c.getStyler().setRangeColors(BLUES);
        c.getStyler().setValueFontColor(Color.BLACK);
        c.getStyler().setHeatMapValueDecimalPattern("0");
        c.getStyler().setLegendVisible(false);
        List<String> top = new ArrayList<>();
        for (int i = k - 1; i >= 0; i--) top.add(classes.get(i));
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < k; t++) for (int p = 0; p < k; p++) cells.add(new Number[] {p, k - 1 - t, counts[t][p]});
        c.addSeries("counts", classes, top, cells);
        return c;
    }

    /** Each class's precision and recall as bars. */
    public CategoryChart precisionRecallChart(String title) {
        CategoryChart c = new CategoryChartBuilder().width(480).height(420).title(title).xAxisTitle("class").yAxisTitle("").build();
        style(c.getStyler());
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setSeriesColors(new Color[] {new Color(31, 119, 180), new Color(255, 127, 14)});
        List<Double> precision = new ArrayList<>(), recall = new ArrayList<>();
        for (int i = 0; i < classes.size(); i++) {
            precision.add(precision(i));
            recall.add(recall(i));
        }
        c.addSeries("precision", classes, precision);
        c.addSeries("recall", classes, recall);
        return c;
    }

    private static void style(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
    }

    /** A chart as a picture (for TensorBoard's image dashboard). */
    public static BufferedImage image(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) {
        return BitmapEncoder.getBufferedImage(chart);
    }
}
