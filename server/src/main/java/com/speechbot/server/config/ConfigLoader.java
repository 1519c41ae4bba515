package com.speechbot.server.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the {@link ServerConfig}: the bundled {@code speechbot.yaml} defaults, then an optional file
 * ({@code SPEECHBOT_CONFIG}, else {@code ./config/speechbot.yaml} when present), then environment variables.
 */
public final class ConfigLoader {

    static final String PREFIX = "SPEECHBOT_";

    /** Short names operators and tooling rely on (documented in the README). */
    private static final Map<String, String> ALIASES = Map.of(
            "SPEECHBOT_PORT", "server.port",
            "SPEECHBOT_HOST", "server.host",
            "SPEECHBOT_PUBLIC_URL", "server.public_url",
            "SPEECHBOT_DATA_DIR", "data_dir");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private ConfigLoader() {}

    /** The configuration of this process: defaults, file and {@link System#getenv()}. */
    public static ServerConfig load() {
        return load(System.getenv());
    }

    public static ServerConfig load(Map<String, String> env) {
        ObjectNode tree = bundledDefaults();
        Path file = configFile(env);
        if (file != null) {
            try {
                merge(tree, YAML.readTree(file.toFile()));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
            }
        }
        applyEnvironment(tree, env);
        try {
            return YAML.treeToValue(tree, ServerConfig.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("invalid configuration: " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw e.getCause() instanceof IllegalArgumentException iae ? iae : e;
        }
    }

    private static Path configFile(Map<String, String> env) {
        String explicit = env.get(PREFIX + "CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("SPEECHBOT_CONFIG names a missing file: " + p);
            }
            return p;
        }
        Path local = Path.of("config", "speechbot.yaml");
        return Files.isRegularFile(local) ? local : null;
    }

    private static ObjectNode bundledDefaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("/speechbot.yaml")) {
            if (in == null) {
                throw new IllegalStateException("speechbot.yaml defaults missing from the classpath");
            }
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void merge(ObjectNode target, JsonNode overrides) {
        if (overrides == null || !overrides.isObject()) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> it = overrides.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode existing = target.get(e.getKey());
            if (existing instanceof ObjectNode obj && e.getValue().isObject()) {
                merge(obj, e.getValue());
            } else {
                target.set(e.getKey(), e.getValue());
            }
        }
    }

    /** Every leaf {@code a.b_c} can be set by {@code SPEECHBOT_A_B_C}; aliases win over the generic names. */
    private static void applyEnvironment(ObjectNode tree, Map<String, String> env) {
        tree.fields().forEachRemaining(section -> {
            if (section.getValue() instanceof ObjectNode obj) {
                obj.fieldNames().forEachRemaining(key -> {
                    String var = PREFIX + (section.getKey() + "_" + key).toUpperCase(Locale.ROOT);
                    if (env.containsKey(var)) {
                        obj.set(key, TextNode.valueOf(env.get(var)));
                    }
                });
            } else {
                String var = PREFIX + section.getKey().toUpperCase(Locale.ROOT);
                if (env.containsKey(var)) {
                    tree.set(section.getKey(), TextNode.valueOf(env.get(var)));
                }
            }
        });
        ALIASES.forEach((var, path) -> {
            String value = env.get(var);
            if (value != null) {
                String[] parts = path.split("\\.");
                ObjectNode node = parts.length == 1 ? tree : (ObjectNode) tree.get(parts[0]);
                node.set(parts[parts.length - 1], TextNode.valueOf(value));
            }
        });
    }
}
