package dev.janus.serving;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The models of a repository in Triton's layout ({@code DIR/<model>/<version>/model.onnx} or
 * {@code model.janus}, an optional {@code DIR/<model>/config.json}), kept in step with the folder:
 * {@link #poll} loads new versions, reloads changed files, and unloads what was removed or fell
 * out of the version policy. A new version takes over only once it has loaded, run, and shown the
 * same inputs and outputs as the version it replaces; a corrupt or incompatible one is refused
 * with the reason logged (and shown in the TF Serving model status) and the old one keeps
 * serving. A replaced version finishes the requests it has queued before it closes.
 *
 * <p>Security: only names of folders found here are ever loaded (a URL's model or version name is
 * looked up in memory, never turned into a path); names must be plain ({@link #NAME},
 * {@link #VERSION}); and every folder and file must resolve, symlinks followed, to inside the
 * repository.
 */
final class ModelRepository {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");
    static final String[] MODEL_FILES = {"model.onnx", "model.janus"};
    private static final long MAX_CONFIG_BYTES = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(ModelRepository.class);

    /** A model folder: its versions being served (replaced whole on change) and the reasons versions were refused. */
    static final class Model {
        final String name;
        volatile NavigableMap<Long, ModelVersion> versions = Collections.emptyNavigableMap();
        final Map<Long, String> refused = new ConcurrentHashMap<>();
        volatile String configError;

        Model(String name) {
            this.name = name;
        }
    }

    /** What a version was loaded from: a change reloads it; a refused one is not tried again until it changes. */
    private static final class Stamp {
        final Path file;
        final long size, modified, configModified, configSize;

        Stamp(Path file, BasicFileAttributes a, long configModified, long configSize) {
            this.file = file;
            this.size = a.size();
            this.modified = a.lastModifiedTime().toMillis();
            this.configModified = configModified;
            this.configSize = configSize;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Stamp)) return false;
            Stamp s = (Stamp) o;
            return file.equals(s.file) && size == s.size && modified == s.modified && configModified == s.configModified && configSize == s.configSize;
        }

        @Override
        public int hashCode() {
            return Objects.hash(file, size, modified, configModified, configSize);
        }
    }

    private final Path root;
    private final ServerSettings settings;
    private final ServerMetrics metrics;
    private final ConcurrentHashMap<String, Model> models = new ConcurrentHashMap<>();
    private final Map<String, Stamp> loaded = new HashMap<>(), refused = new HashMap<>();
    private final Set<String> warned = new HashSet<>();
    private boolean closed;

    ModelRepository(Path root, ServerSettings settings, ServerMetrics metrics) {
        try {
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("model repository " + root + " does not exist or cannot be read: " + e.getMessage(), e);
        }
        if (!Files.isDirectory(this.root)) throw new IllegalArgumentException("model repository " + root + " is not a folder");
        this.settings = settings;
        this.metrics = metrics;
    }

    Path root() {
        return root;
    }

    /** The model of that name, if it is in the repository (loaded or not). */
    Model model(String name) {
        return models.get(name);
    }

    Map<String, Model> models() {
        return Collections.unmodifiableMap(models);
    }

    /**
     * The version to run: the given one, or the newest served. Throws 404 naming what is there. The
     * name is only looked up, never used as a path.
     */
    ModelVersion find(String name, Long version) {
        Model m = models.get(name);
        if (m == null || m.versions.isEmpty()) {
            throw ServingException.notFound(m == null ? "model '" + name + "' is not in the model repository"
                    : "model '" + name + "' has no version ready" + reasons(m));
        }
        NavigableMap<Long, ModelVersion> vs = m.versions;
        if (version == null) return vs.lastEntry().getValue();
        ModelVersion v = vs.get(version);
        if (v == null) throw ServingException.notFound("model '" + name + "' has no version " + version + " ready; versions: " + vs.keySet() + reasons(m));
        return v;
    }

    private static String reasons(Model m) {
        if (m.configError != null) return " (config.json refused: " + m.configError + ")";
        return m.refused.isEmpty() ? "" : " (refused: " + new TreeMap<>(m.refused) + ")";
    }

    /** True when every model folder has a version serving. */
    boolean allReady() {
        for (Model m : models.values()) if (m.versions.isEmpty()) return false;
        return true;
    }

    /** Brings the served models in step with the folder. */
    synchronized void poll() {
        if (closed) return;
        Set<String> seen = new HashSet<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (name.startsWith(".")) continue;
                if (!NAME.matcher(name).matches()) {
                    warnOnce("name:" + name, "ignoring '" + name + "' in the model repository: a model name is letters, digits, '_', '-' and '.'");
                    continue;
                }
                if (inside(dir) == null || !Files.isDirectory(dir)) {
                    if (inside(dir) == null) warnOnce("outside:" + name, "ignoring model '" + name + "': it resolves to outside the model repository");
                    continue;
                }
                seen.add(name);
                syncModel(name, dir);
            }
        } catch (IOException e) {
            LOG.warn("cannot list the model repository {}: {}", root, e.toString());
            return;
        }
        for (String name : new ArrayList<>(models.keySet())) {
            if (!seen.contains(name)) {
                Model m = models.remove(name);
                LOG.info("model {} was removed from the repository: unloading {}", name, m.versions.keySet());
                retire(m.versions.values());
                forget(name, null);
            }
        }
    }

    private void syncModel(String name, Path dir) {
        Model m = models.computeIfAbsent(name, Model::new);
        Path configFile = dir.resolve(ModelConfig.FILE);
        ModelConfig config;
        long configModified = 0, configSize = -1;
        try {
            if (Files.exists(configFile, LinkOption.NOFOLLOW_LINKS) || Files.exists(configFile)) {
                Path real = inside(configFile);
                if (real == null) throw new IllegalArgumentException("config.json resolves to outside the model repository");
                BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
                if (!a.isRegularFile() || a.size() > MAX_CONFIG_BYTES) throw new IllegalArgumentException("config.json is not a file under 1 MB");
                configModified = a.lastModifiedTime().toMillis();
                configSize = a.size();
                JsonNode tree = JsonMappers.MAPPER.readTree(Files.readAllBytes(real));
                config = ModelConfig.parse(tree == null ? JsonMappers.MAPPER.nullNode() : tree, name);
            } else {
                config = ModelConfig.defaults();
            }
        } catch (IOException | RuntimeException e) {
            String why = e instanceof IOException ? "cannot read it: " + e.getMessage() : e.getMessage();
            if (!why.equals(m.configError)) {
                LOG.warn("model {}: config.json refused, the model keeps its current versions {}: {}", name, m.versions.keySet(), why);
                metrics.loadFailed(name);
            }
            m.configError = why;
            return;
        }
        m.configError = null;

        Map<Long, Stamp> found = new TreeMap<>();
        try (DirectoryStream<Path> vs = Files.newDirectoryStream(dir)) {
            for (Path vdir : vs) {
                String vname = vdir.getFileName().toString();
                if (!VERSION.matcher(vname).matches() || !Files.isDirectory(vdir)) continue;
                Stamp s = stamp(name, vname, vdir, configModified, configSize);
                if (s != null) found.put(Long.parseLong(vname), s);
            }
        } catch (IOException e) {
            LOG.warn("cannot list model folder {}: {}", dir, e.toString());
            return;
        }

        NavigableMap<Long, ModelVersion> current = m.versions;
        TreeMap<Long, ModelVersion> next = new TreeMap<>();
        List<ModelVersion> replaced = new ArrayList<>();
        for (Long v : new ArrayList<>(m.refused.keySet())) if (!found.containsKey(v)) m.refused.remove(v);
        // Versions refused with this very file are left out before the policy picks, so an older one keeps serving.
        Set<Long> candidates = new HashSet<>();
        for (Map.Entry<Long, Stamp> e : found.entrySet()) {
            if (!e.getValue().equals(refused.get(key(name, e.getKey())))) candidates.add(e.getKey());
        }
        for (long v : config.select(candidates)) {
            Stamp s = found.get(v);
            ModelVersion have = current.get(v);
            if (have != null && s.equals(loaded.get(key(name, v)))) {
                next.put(v, have);
                continue;
            }
            ModelVersion fresh = tryLoad(m, v, s, config, have != null ? have : newestBelow(current, next));
            if (fresh != null) {
                next.put(v, fresh);
                if (have != null) replaced.add(have);
            } else if (have != null) {
                next.put(v, have);   // the changed file was refused: the loaded one keeps serving
            }
        }
        if (next.isEmpty() && !current.isEmpty() && !found.isEmpty()) {
            // Every version the policy wants was refused: keep serving what is loaded rather than nothing.
            next.putAll(current);
        }
        m.versions = Collections.unmodifiableNavigableMap(next);
        List<ModelVersion> gone = new ArrayList<>(replaced);
        for (Map.Entry<Long, ModelVersion> e : current.entrySet()) {
            if (!next.containsKey(e.getKey())) {
                gone.add(e.getValue());
                forget(name, e.getKey());
            }
        }
        if (!gone.isEmpty()) LOG.info("model {}: unloading {} (now serving {})", name, gone, next.keySet());
        retire(gone);
    }

    private static ModelVersion newestBelow(NavigableMap<Long, ModelVersion> current, NavigableMap<Long, ModelVersion> next) {
        if (!current.isEmpty()) return current.lastEntry().getValue();
        return next.isEmpty() ? null : next.lastEntry().getValue();
    }

    /** The version's model file, if there is exactly one and it resolves to inside the repository. */
    private Stamp stamp(String name, String vname, Path vdir, long configModified, long configSize) {
        if (inside(vdir) == null) {
            warnOnce("outside:" + name + "/" + vname, "ignoring " + name + "/" + vname + ": it resolves to outside the model repository");
            return null;
        }
        Path file = null;
        for (String f : MODEL_FILES) {
            Path p = vdir.resolve(f);
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                if (file != null) {
                    warnOnce("two:" + name + "/" + vname, "ignoring " + name + "/" + vname + ": it holds both model.onnx and model.janus");
                    return null;
                }
                file = p;
            }
        }
        if (file == null) return null;
        Path real = inside(file);
        if (real == null) {
            warnOnce("outside:" + file, "ignoring " + name + "/" + vname + ": " + file.getFileName() + " resolves to outside the model repository");
            return null;
        }
        try {
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
            if (!a.isRegularFile()) return null;
            return new Stamp(real, a, configModified, configSize);
        } catch (IOException e) {
            return null;
        }
    }

    private ModelVersion tryLoad(Model m, long v, Stamp s, ModelConfig config, ModelVersion serving) {
        String key = key(m.name, v);
        ModelVersion fresh;
        try {
            fresh = ModelVersion.load(m.name, v, s.file, config, settings, metrics);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            refuse(m, v, s, "cannot load " + root.relativize(s.file) + ": " + e.getMessage(), serving);
            return null;
        }
        if (serving != null && serving.version != v && !fresh.compatibleWith(serving)) {
            fresh.close(0);
            refuse(m, v, s, "incompatible with version " + serving.version + " being served: it has " + fresh.describe() + ", version "
                    + serving.version + " has " + serving.describe(), serving);
            return null;
        }
        if (serving != null && serving.version == v && !fresh.compatibleWith(serving)) {
            fresh.close(0);
            refuse(m, v, s, "the changed file is incompatible with the loaded one: it has " + fresh.describe() + ", the loaded one has "
                    + serving.describe(), serving);
            return null;
        }
        loaded.put(key, s);
        refused.remove(key);
        m.refused.remove(v);
        metrics.loaded(m.name, v);
        LOG.info("model {} version {} loaded ({}, {})", m.name, v, fresh.platform(), fresh.describe());
        return fresh;
    }

    private void refuse(Model m, long v, Stamp s, String why, ModelVersion serving) {
        refused.put(key(m.name, v), s);
        m.refused.put(v, why);
        metrics.loadFailed(m.name);
        LOG.warn("model {} version {} refused{}: {}", m.name, v, serving == null ? "" : " (version " + serving.version + " keeps serving)", why);
    }

    private void forget(String name, Long version) {
        if (version != null) {
            loaded.remove(key(name, version));
            metrics.unloaded(name, version);
            return;
        }
        String prefix = name + "/";
        for (String k : new ArrayList<>(loaded.keySet())) {
            if (k.startsWith(prefix)) {
                metrics.unloaded(name, Long.parseLong(k.substring(prefix.length())));
                loaded.remove(k);
            }
        }
        refused.keySet().removeIf(k -> k.startsWith(prefix));
    }

    private void retire(Iterable<ModelVersion> versions) {
        for (ModelVersion v : versions) v.close(settings.drainMillis);
    }

    private static String key(String model, long version) {
        return model + "/" + version;
    }

    /** The real path if it lies inside the repository (symlinks followed), else null. */
    private Path inside(Path p) {
        try {
            Path real = p.toRealPath();
            return real.startsWith(root) ? real : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void warnOnce(String key, String message) {
        if (warned.add(key)) LOG.warn(message);
    }

    /** Unloads everything (each version finishing what it has queued). */
    synchronized void close() {
        closed = true;
        for (Model m : models.values()) {
            retire(m.versions.values());
            m.versions = Collections.emptyNavigableMap();
        }
        models.clear();
    }
}
