package dev.claw4j.protocol;

/** A tool offered to the model; {@code parameters} is a JSON Schema object, as text. */
public record ToolSpec(String name, String description, String parameters) {}
