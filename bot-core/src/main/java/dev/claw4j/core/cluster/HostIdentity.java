package dev.claw4j.core.cluster;

import dev.claw4j.core.store.PrivateFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Who this host is among the hosts sharing one database. {@code hostId} is the install id kept in the data directory
 * ({@value #FILE}, made once): a host restarted on the same data directory is the same host, and the sandbox
 * containers it starts already carry it as their install label, so "this host's orphans" needs no second id.
 * {@code machineId} says which machine it runs on (two hosts on one machine: two ids, one machine id).
 */
public record HostIdentity(String hostId, String machineId) {
    /** The same file app's install id lives in. */
    public static final String FILE = "install-id";

    public HostIdentity {
        if (hostId == null || !hostId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw new IllegalArgumentException("a host id is 1 to 100 letters, digits, '.', '_' or '-'; got '" + hostId
                    + "'. Fix or delete the file " + FILE + " in the data directory to make a new one");
        }
    }

    /** The identity kept in {@code dataDir}, made on the first start. */
    public static HostIdentity load(Path dataDir) {
        String id = PrivateFiles.readOrCreate(dataDir.resolve(FILE), UUID.randomUUID().toString().substring(0, 12));
        return new HostIdentity(id.strip(), thisMachine());
    }

    /** /etc/machine-id where there is one (systemd, most containers), else the host name. */
    public static String thisMachine() {
        try {
            Path etc = Path.of("/etc/machine-id");
            if (Files.isReadable(etc)) {
                String id = Files.readString(etc).strip();
                if (!id.isEmpty()) {
                    return id;
                }
            }
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
