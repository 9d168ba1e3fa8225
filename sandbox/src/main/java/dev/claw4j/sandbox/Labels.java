package dev.claw4j.sandbox;

/** The labels every claw4j container carries. */
final class Labels {
    static final String INSTALL = "dev.claw4j.install";
    /** The machine the starting host ran on: a host may remove what a gone host of the same machine left. */
    static final String MACHINE = "dev.claw4j.machine";
    static final String GROUP = "dev.claw4j.group";
    static final String RUNTIME = "dev.claw4j.runtime";
    static final String CONTENT = "dev.claw4j.content";

    private Labels() {}
}
