package dev.claw4j.protocol;

/** A chat message as the agent sees it: who wrote it, when, and what. */
public record ChatMessage(String sender, String text, String timestamp) {}
