package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Everything the host and its commands create in the data directory is its owner's alone, from the start. */
class DataDirTest {
    @TempDir
    Path tmp;


    @Test
    void theHostAndItsCommandsCreateNothingOtherUsersCanRead() throws Exception {
        Path data = tmp.resolve("install/data");
        Path configFile = tmp.resolve("claw4j.yaml");
        Files.writeString(configFile, "dataDir: " + data + "\n");
        Config config = Config.defaults().withDataDir(data);

        Install.id(data);
        try (Claw4j host = new Claw4j(config, new NoSandboxes(), NoSandboxes.NO_MODEL, List.of())) {
            host.start();
            assertThat(run("access", "list", "--config", configFile.toString())).contains("dm policy: pairing");
            assertOwnerOnly(data, Set.of("admin-token", "admin.port", "install-id", "db-password", "claw4j.mv.db"));
        }
        // with the host stopped, the commands open the database themselves
        assertThat(run("access", "list", "--config", configFile.toString())).contains("pending codes:");
        assertThat(run("admin", "token", "--config", configFile.toString())).hasSizeGreaterThan(40);
        assertOwnerOnly(data, Set.of("admin-token", "install-id", "db-password", "claw4j.mv.db"));
    }

    private static String run(String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            assertThat(Main.commandLine().execute(args)).isZero();
            return captured.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(out);
        }
    }

    /**
     * Walks the data directory: it is 0700 and nothing in it has a group or other bit, except the agents' own
     * folders ({@code groups/}, {@code global/}), whose owner and modes are the sandbox's.
     */
    private static void assertOwnerOnly(Path data, Set<String> expected) throws IOException {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
        List<String> names = new ArrayList<>();
        try (Stream<Path> all = Files.walk(data)) {
            for (Path p : all.skip(1).toList()) {
                String top = data.relativize(p).getName(0).toString();
                if (top.equals("groups") || top.equals("global")) {
                    continue;
                }
                names.add(data.relativize(p).toString());
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                        .as("%s", p).matches("rw[x-]------");
            }
        }
        assertThat(names).as("what was checked").containsAll(expected);
    }
}
