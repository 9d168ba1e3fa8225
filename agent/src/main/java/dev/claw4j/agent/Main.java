package dev.claw4j.agent;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.file.Path;

/**
 * Entry point of the agent runner inside the sandbox. Stdin and stdout are the protocol, stderr is the log.
 * The workspace root comes from {@code CLAW4J_WORKSPACE} (default {@code /workspace}); the group's folder
 * is {@code <root>/group}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // Stdout belongs to the protocol. Keep the real stream for it and route any stray System.out print
        // (ours or a library's) to the log, where it cannot corrupt a protocol line.
        FileOutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err);

        String root = System.getenv("CLAW4J_WORKSPACE");
        Path workspace = Path.of(root == null || root.isBlank() ? "/workspace" : root);
        new Agent(new FileInputStream(FileDescriptor.in), protocolOut, workspace, version(), Leftovers.forThisRunner()).run();
        // exit 0 even if a reader thread still waits on a background process's output
        System.exit(0);
    }

    /** The version from the jar manifest; "dev" when run from classes. */
    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
