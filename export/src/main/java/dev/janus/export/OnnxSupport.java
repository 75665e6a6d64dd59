package dev.janus.export;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Janus does not import from ONNX on purpose, and why, in one place: every refusal of these
 * ops and domains gives this reason. (An op that is simply not written yet is refused as "not in
 * Janus's op set".)
 */
public final class OnnxSupport {
    private static final Map<String, String> DOMAINS = new LinkedHashMap<>();
    private static final Map<String, String> OPS = new LinkedHashMap<>();

    static {
        DOMAINS.put("ai.onnx.ml", "the ONNX-ML domain (trees, linear classifiers, label encoders, ...) is classical machine learning"
                + " outside Janus's tensor op set");
        DOMAINS.put("ai.onnx.preview.training", "the training domain (Adam, Adagrad, Momentum, Gradient) describes optimizer steps;"
                + " Janus trains with its own optimizers (core.optim) instead of importing them");
        DOMAINS.put("ai.onnx.preview", "preview ops are experimental and may change meaning between ONNX releases");
        String strings = "strings: Janus tensors hold numbers only (there is no string dtype)";
        for (String op : List.of("StringNormalizer", "StringSplit", "StringConcat", "RegexFullMatch", "TfIdfVectorizer")) OPS.put(op, strings);
        String random = "random values: the op would draw from Janus's generator, so its values could never match another"
                + " runtime's; use Janus's own random ops (dropout, initializers) where randomness is wanted";
        for (String op : List.of("RandomUniform", "RandomNormal", "RandomUniformLike", "RandomNormalLike", "Bernoulli", "Multinomial")) {
            OPS.put(op, random);
        }
        String sequences = "sequences and optionals: Janus's values are tensors only";
        for (String op : List.of("SequenceConstruct", "SequenceEmpty", "SequenceInsert", "SequenceAt", "SequenceErase", "SequenceLength",
                "SequenceMap", "SplitToSequence", "ConcatFromSequence", "Optional", "OptionalHasElement", "OptionalGetElement")) {
            OPS.put(op, sequences);
        }
        OPS.put("ImageDecoder", "decoding image files (JPEG, PNG, ...) is file I/O, not a tensor op; decode before feeding the model");
    }

    private OnnxSupport() {
    }

    /** Why Janus does not import ops of this domain, or null when it imports (some of) them. */
    public static String domainReason(String domain) {
        return DOMAINS.get(domain);
    }

    /** Why Janus does not import this op of the default domain, or null when it is not refused on purpose. */
    public static String opReason(String opType) {
        return OPS.get(opType);
    }

    /** Every op and domain refused on purpose, with its reason, for the README and the tests. */
    public static Map<String, String> all() {
        Map<String, String> all = new LinkedHashMap<>();
        DOMAINS.forEach((d, why) -> all.put("domain " + d, why));
        OPS.forEach(all::put);
        return all;
    }
}
