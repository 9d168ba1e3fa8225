package dev.claw4j.core.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw4j.protocol.ToolSpec;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns our tools (JSON Schema as text) into LangChain4j tool specifications. The common shapes become
 * typed schema elements; anything else (type unions, $ref, …) is passed on as raw schema rather than
 * dropped, so the model still sees it.
 */
final class ToolSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolSchemas() {}

    static ToolSpecification toSpecification(ToolSpec tool) {
        ToolSpecification.Builder builder = ToolSpecification.builder()
                .name(tool.name())
                .parameters(parameters(tool));
        if (tool.description() != null && !tool.description().isBlank()) {
            builder.description(tool.description());
        }
        return builder.build();
    }

    private static JsonObjectSchema parameters(ToolSpec tool) {
        if (tool.parameters() == null || tool.parameters().isBlank()) {
            return JsonObjectSchema.builder().build();
        }
        JsonNode root;
        try {
            root = JSON.readTree(tool.parameters());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the parameter schema of tool " + tool.name() + " is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the parameter schema of tool " + tool.name() + " is not a JSON object");
        }
        return object(root);
    }

    private static JsonObjectSchema object(JsonNode node) {
        JsonObjectSchema.Builder builder = JsonObjectSchema.builder().description(description(node));
        node.path("properties").properties().forEach(p -> builder.addProperty(p.getKey(), element(p.getValue())));
        List<String> required = new ArrayList<>();
        node.path("required").forEach(name -> required.add(name.asText()));
        if (!required.isEmpty()) {
            builder.required(required);
        }
        if (node.path("additionalProperties").isBoolean()) {
            builder.additionalProperties(node.get("additionalProperties").booleanValue());
        }
        return builder.build();
    }

    private static JsonSchemaElement element(JsonNode node) {
        String description = description(node);
        if (node.path("enum").isArray() && allText(node.get("enum"))) {
            List<String> values = new ArrayList<>();
            node.get("enum").forEach(v -> values.add(v.asText()));
            return JsonEnumSchema.builder().description(description).enumValues(values).build();
        }
        if (node.path("anyOf").isArray()) {
            List<JsonSchemaElement> options = new ArrayList<>();
            node.get("anyOf").forEach(option -> options.add(element(option)));
            return JsonAnyOfSchema.builder().description(description).anyOf(options).build();
        }
        JsonNode type = node.get("type");
        String typeName = type != null && type.isTextual() ? type.asText() : "";
        return switch (typeName) {
            case "string" -> JsonStringSchema.builder().description(description).build();
            case "integer" -> JsonIntegerSchema.builder().description(description).build();
            case "number" -> JsonNumberSchema.builder().description(description).build();
            case "boolean" -> JsonBooleanSchema.builder().description(description).build();
            case "null" -> new JsonNullSchema();
            case "object" -> object(node);
            case "array" -> node.path("items").isObject()
                    ? JsonArraySchema.builder().description(description).items(element(node.get("items"))).build()
                    : JsonRawSchema.from(node.toString());
            default -> JsonRawSchema.from(node.toString());
        };
    }

    private static String description(JsonNode node) {
        JsonNode d = node.get("description");
        return d != null && d.isTextual() ? d.asText() : null;
    }

    private static boolean allText(JsonNode array) {
        for (JsonNode v : array) {
            if (!v.isTextual()) {
                return false;
            }
        }
        return !array.isEmpty();
    }
}
