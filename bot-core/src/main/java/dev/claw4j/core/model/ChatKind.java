package dev.claw4j.core.model;

/** A direct message (one person and the bot) or a group chat (where the bot must be addressed). */
public enum ChatKind {
    DIRECT,
    GROUP
}
