package dev.claw4j.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The database on disk is a private file, not a network service. */
class StoreFilesTest {
    @TempDir
    Path tmp;

    @Test
    void theDataDirectoryIs0700AndEveryFileInIt0600FromTheStart() throws Exception {
        Path data = tmp.resolve("a/data");
        try (Store store = Store.open(data)) {
            store.messages().insertInbound(new InboundMessage("web", "c1", null, "ann", "Ann", "hello", "p1", ChatKind.DIRECT,
                    false, Instant.now()), MessageStatus.PENDING);
            assertThat(mode(data)).isEqualTo("rwx------");
            assertThat(Files.list(data).map(p -> p.getFileName().toString()))
                    .contains(Store.DATABASE_FILE, DatabasePassword.FILE)
                    .as("H2 keeps no trace file").doesNotContain("claw4j.trace.db");
            assertOwnerOnly(data);
        }
        assertOwnerOnly(data);
    }

    @Test
    void anExistingDirectoryAndFilesOpenToOthersAreTightenedAtStart() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path oldPassword = Files.writeString(data.resolve(DatabasePassword.FILE), "0123abcd\n");
        Files.setPosixFilePermissions(oldPassword, PosixFilePermissions.fromString("rw-r--r--"));
        Path group = Files.createDirectories(data.resolve("groups/g1"));
        Files.setPosixFilePermissions(group, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(PrivateFiles.openToOthers(data)).as("the set-up really left it open").isTrue();

        Store.open(data).close();

        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(mode(oldPassword)).isEqualTo("rw-------");
        assertThat(Files.readString(oldPassword)).as("kept, not remade").isEqualTo("0123abcd\n");
        assertThat(mode(group)).as("a group's folder is the sandbox's business").isEqualTo("rwxr-xr-x");
    }

    @Test
    void theDatabaseOpensNoListeningSocket() throws Exception {
        // the check sees a listener when there is one: H2 with the old AUTO_SERVER=TRUE opens one
        JdbcConnectionPool auto = JdbcConnectionPool.create("jdbc:h2:file:" + tmp.resolve("old/claw4j")
                + ";AUTO_SERVER=TRUE", "claw4j", "x");
        Set<Integer> before = listeningPorts();
        try (var c = auto.getConnection()) {
            assertThat(difference(listeningPorts(), before)).as("AUTO_SERVER listens").isNotEmpty();
        } finally {
            auto.dispose();
        }
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(listeningPorts()).as("the check sees this process's own listener").contains(probe.getLocalPort());
        }

        before = listeningPorts();
        try (Store store = Store.open(tmp.resolve("data"))) {
            store.groups().groups();
            assertThat(difference(listeningPorts(), before)).as("the store opened no listener").isEmpty();
        }
        assertThat(Store.url(tmp)).doesNotContainIgnoringCase("AUTO_SERVER").doesNotContainIgnoringCase("tcp");
    }

    @Test
    void aSecondProcessOpeningTheDatabaseFailsFastSayingWhy() throws Exception {
        Path data = tmp.resolve("data");
        try (Store store = Store.open(data)) {
            store.groups().groups();
            long start = System.nanoTime();
            Process other = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                    System.getProperty("java.class.path"), OpenStore.class.getName(), data.toString())
                    .redirectErrorStream(true).start();
            assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(other.exitValue()).as(out).isEqualTo(3);
            assertThat(out).contains("in use by another process").contains(Store.DATABASE_FILE);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no waiting for a lock")
                    .isLessThan(Duration.ofSeconds(30));
        }
        // and once the first has closed it, the other may open it
        Process after = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), OpenStore.class.getName(), data.toString())
                .redirectErrorStream(true).start();
        assertThat(after.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(after.exitValue()).as(new String(after.getInputStream().readAllBytes())).isZero();
    }

    /** The second process: opens the store and says how it went. */
    public static final class OpenStore {
        public static void main(String[] args) {
            try (Store store = Store.open(Path.of(args[0]))) {
                store.groups().groups();
                System.exit(0);
            } catch (DatabaseInUseException e) {
                System.out.println(e.getMessage());
                System.exit(3);
            }
        }
    }

    private static void assertOwnerOnly(Path data) throws IOException {
        try (Stream<Path> all = Files.walk(data)) {
            List<Path> entries = all.toList();
            assertThat(entries).hasSizeGreaterThan(2);
            for (Path p : entries) {
                assertThat(PrivateFiles.openToOthers(p)).as("%s is %s", p, mode(p)).isFalse();
            }
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static Set<Integer> difference(Set<Integer> after, Set<Integer> before) {
        Set<Integer> d = new HashSet<>(after);
        d.removeAll(before);
        return d;
    }

    /** The TCP ports this process listens on: its socket fds matched with the kernel's LISTEN sockets. */
    static Set<Integer> listeningPorts() throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // the fd closed while listing
                }
            }
        }
        Set<Integer> ports = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file); // read once: the table changes as sockets come and go
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                boolean listening = f[3].equals("0A");
                if (listening && inodes.contains(f[9])) {
                    ports.add(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }
}
