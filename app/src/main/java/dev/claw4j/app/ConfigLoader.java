package dev.claw4j.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.claw4j.core.sandbox.SandboxLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Reads claw4j.yaml: {@code ${ENV_VAR}} substituted, unknown keys and bad values refused by name. */
public final class ConfigLoader {
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private final Function<String, String> env;

    public ConfigLoader(Function<String, String> env) {
        this.env = env;
    }

    public ConfigLoader() {
        this(System::getenv);
    }

    public Config load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file " + file + " not found; copy config/claw4j.yaml and edit it, "
                    + "or leave out --config");
        }
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
    }

    public Config parse(String text, String source) {
        try {
            JsonNode tree = yaml.readTree(text);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                return Config.defaults();
            }
            if (!tree.isObject()) {
                throw new ConfigException(source + ": the top level must be a map of keys like dataDir: and sandbox:");
            }
            refuseSecretsForMcp(tree.path("mcp"), "mcp");
            substitute(tree);
            Config config = yaml.treeToValue(tree, Config.class);
            validate(config);
            return config;
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(source + ": unknown key '" + path(e) + "'; known keys here: "
                    + e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")));
        } catch (JsonMappingException e) {
            throw new ConfigException(source + ": bad value for '" + path(e) + "': " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getOriginalMessage());
        }
    }

    private void validate(Config config) {
        Config.Sandbox s = config.sandbox();
        try {
            config.binding().policy();
            config.access().policy();
            if (config.model().dailyTokenBudget() < 0) {
                throw new ConfigException("model.dailyTokenBudget must be 0 (no limit) or more");
            }
            config.budgetSettings();
            config.model().fallbackSettings();
            config.model().groupModels();
            config.limits().settings();
            if (!config.botName().matches("[A-Za-z0-9_]{1,32}")) {
                throw new ConfigException("botName '" + config.botName() + "' must be 1-32 letters, digits or _");
            }
            int port = config.connectors().web().port();
            if (port < 0 || port > 65535) {
                throw new ConfigException("connectors.web.port must be 0-65535, got " + port);
            }
            int uiPort = config.admin().uiPort();
            if (uiPort < 0 || uiPort > 65535) {
                throw new ConfigException("admin.uiPort must be 0-65535, got " + uiPort);
            }
            Config.Web web = config.connectors().web();
            new dev.claw4j.web.WebSettings(web.bind(), port, config.botName(), web.allowedHosts(), config.dataDir());
            config.webFetch().policy();
            SandboxLimits limits = s.limits();
            s.folderQuotaBytes();
            s.idle();
            s.eviction();
            config.tasks().settings();
            config.mcp().settings();
            config.store().location(config.dataDir());
            config.cluster().settings();
            if (limits.turnTimeout().isZero()) {
                throw new ConfigException("sandbox.turnTimeout must be more than 0");
            }
            if (s.onKubernetes()) {
                Sandboxes.kubernetesSettings(s, "install-check"); // throws naming the bad key
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        if (s.maxSandboxes() < 1) {
            throw new ConfigException("sandbox.maxSandboxes must be at least 1, got " + s.maxSandboxes());
        }
    }

    /** Replaces ${NAME} and ${NAME:-default} in every string value. A missing variable becomes empty. */
    /**
     * MCP servers run inside the sandbox, which holds no secrets: a {@code ${VAR}} in the {@code mcp:} section
     * would copy a host environment variable (typically a token) into it, so it is refused, not substituted.
     */
    private static void refuseSecretsForMcp(JsonNode node, String path) {
        if (node.isTextual() && ENV.matcher(node.asText()).find()) {
            throw new ConfigException(path + ": ${...} is not allowed in the mcp section: MCP servers run in the"
                    + " sandbox, which must hold no secrets; write the value itself if it is not a secret");
        }
        if (node.isObject()) {
            node.properties().forEach(f -> refuseSecretsForMcp(f.getValue(), path + "." + f.getKey()));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                refuseSecretsForMcp(node.get(i), path + "[" + i + "]");
            }
        }
    }

    private void substitute(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                JsonNode value = field.getValue();
                if (value.isTextual()) {
                    object.set(field.getKey(), new TextNode(expand(value.asText())));
                } else {
                    substitute(value);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode value = node.get(i);
                if (value.isTextual()) {
                    ((com.fasterxml.jackson.databind.node.ArrayNode) node).set(i, new TextNode(expand(value.asText())));
                } else {
                    substitute(value);
                }
            }
        }
    }

    private String expand(String text) {
        Matcher m = ENV.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.apply(m.group(1));
            if (value == null || value.isEmpty()) {
                value = m.group(2) == null ? "" : m.group(2);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }
}
