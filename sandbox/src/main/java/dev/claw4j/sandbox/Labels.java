package dev.claw4j.sandbox;

/** The labels every claw4j container carries. */
final class Labels {
    static final String INSTALL = "dev.claw4j.install";
    static final String GROUP = "dev.claw4j.group";
    static final String RUNTIME = "dev.claw4j.runtime";
    static final String CONTENT = "dev.claw4j.content";

    private Labels() {}
}
