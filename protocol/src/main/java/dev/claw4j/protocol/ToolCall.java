package dev.claw4j.protocol;

/** A tool call the model asked for; {@code arguments} is the JSON object text the model produced. */
public record ToolCall(String id, String name, String arguments) {}
