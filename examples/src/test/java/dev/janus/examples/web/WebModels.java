package dev.janus.examples.web;

import dev.janus.examples.DigitsCnn;
import dev.janus.examples.DigitsRnn;
import dev.janus.examples.IrisCompiled;
import dev.janus.layers.Sequential;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The example models the web tests export, trained once per test run and for a few epochs only:
 * the tests compare the page's and Node's numbers with Janus's, whatever the weights.
 */
final class WebModels {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static Sequential iris, digitsCnn, digitsLstm;
    private static dev.janus.eager.nn.NNSequential digitsCnnEager;

    private WebModels() {
    }

    static synchronized Sequential iris() {
        if (iris == null) iris = IrisCompiled.train(IrisCompiled.SEED, 30, 0).model;
        return iris;
    }

    static synchronized Sequential digitsCnn() {
        if (digitsCnn == null) digitsCnn = DigitsCnn.trainCompiled(DigitsCnn.SEED, 2, QUIET).model;
        return digitsCnn;
    }

    static synchronized Sequential digitsLstm() {
        if (digitsLstm == null) digitsLstm = DigitsRnn.trainCompiled(DigitsRnn.SEED, 2, QUIET).model;
        return digitsLstm;
    }

    static synchronized dev.janus.eager.nn.NNSequential digitsCnnEager() {
        if (digitsCnnEager == null) digitsCnnEager = DigitsCnn.trainEager(DigitsCnn.SEED, 1, QUIET).model;
        return digitsCnnEager;
    }
}
