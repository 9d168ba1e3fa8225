package dev.claw4j.core.llm;

import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ToolCall;
import dev.claw4j.protocol.ToolSpec;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LangChain4jMessagesTest {

    @Test
    void convertsEveryRole() {
        ToolCall call = new ToolCall("c1", "bash", "{\"command\":\"ls\"}");
        List<ChatMessage> out = LangChain4jMessages.toLangChain4j("be brief", List.of(
                LlmMessage.user("a"), LlmMessage.user("b"),
                LlmMessage.assistant(null, List.of(call)),
                LlmMessage.toolResult(call, "x.txt"),
                LlmMessage.assistant("", List.of()), // carries nothing: dropped
                LlmMessage.assistant("done", List.of())));

        assertThat(out).hasSize(5);
        assertThat(((SystemMessage) out.get(0)).text()).isEqualTo("be brief");
        assertThat(((UserMessage) out.get(1)).singleText()).isEqualTo("a\n\nb");
        AiMessage ai = (AiMessage) out.get(2);
        assertThat(ai.toolExecutionRequests()).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo("c1");
            assertThat(r.name()).isEqualTo("bash");
            assertThat(r.arguments()).isEqualTo("{\"command\":\"ls\"}");
        });
        ToolExecutionResultMessage result = (ToolExecutionResultMessage) out.get(3);
        assertThat(result.id()).isEqualTo("c1");
        assertThat(result.toolName()).isEqualTo("bash");
        assertThat(result.text()).isEqualTo("x.txt");
        assertThat(((AiMessage) out.get(4)).text()).isEqualTo("done");
    }

    @Test
    void unknownRoleIsRefused() {
        assertThatThrownBy(() -> LangChain4jMessages.toLangChain4j(null,
                List.of(new LlmMessage("wizard", "hi", List.of(), null, null))))
                .hasMessageContaining("wizard");
    }

    @Test
    void schemaBecomesTypedElementsAndKeepsTheUnusualBitsRaw() {
        ToolSpecification spec = ToolSchemas.toSpecification(new ToolSpec("edit", "Edit a file", """
                {"type": "object",
                 "properties": {
                   "path": {"type": "string", "description": "file path"},
                   "count": {"type": "number"},
                   "force": {"type": "boolean"},
                   "mode": {"type": "string", "enum": ["append", "replace"]},
                   "lines": {"type": "array", "items": {"type": "integer"}},
                   "options": {"type": "object", "properties": {"dry": {"type": "boolean"}}, "required": ["dry"]},
                   "maybe": {"type": ["string", "null"], "description": "a union"}
                 },
                 "required": ["path", "mode"],
                 "additionalProperties": false}"""));

        JsonObjectSchema p = spec.parameters();
        assertThat(spec.name()).isEqualTo("edit");
        assertThat(spec.description()).isEqualTo("Edit a file");
        assertThat(p.required()).containsExactly("path", "mode");
        assertThat(p.properties().get("mode")).isInstanceOf(JsonEnumSchema.class);
        assertThat(p.properties().get("lines")).isInstanceOf(JsonArraySchema.class);
        assertThat(((JsonObjectSchema) p.properties().get("options")).required()).containsExactly("dry");
        assertThat(p.properties().get("maybe")).isInstanceOf(JsonRawSchema.class);

        Map<String, Object> map = JsonSchemaElementUtils.toMap(p);
        @SuppressWarnings("unchecked")
        Map<String, Object> maybe = (Map<String, Object>) ((Map<String, Object>) map.get("properties")).get("maybe");
        assertThat(maybe).containsEntry("type", List.of("string", "null"));
        assertThat(p.additionalProperties()).isFalse();
    }

    @Test
    void emptyOrBrokenSchemas() {
        assertThat(ToolSchemas.toSpecification(new ToolSpec("noop", null, null)).parameters().properties()).isEmpty();
        assertThatThrownBy(() -> ToolSchemas.toSpecification(new ToolSpec("bad", "x", "{not json")))
                .hasMessageContaining("tool bad").hasMessageContaining("not valid JSON");
    }
}
