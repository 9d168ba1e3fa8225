package dev.claw4j.app;

import dev.claw4j.core.access.AccessStore;
import dev.claw4j.core.store.Store;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Who may talk to the bot: approve pairing codes, list and revoke access. Works while claw4j runs. */
@Command(name = "access", description = "Approve pairing codes, list and revoke who may DM the bot.",
        subcommands = {AccessCommand.Approve.class, AccessCommand.ListAccess.class, AccessCommand.Revoke.class})
final class AccessCommand {

    @Command(name = "approve", description = "Approve a pairing code a person got from the bot.")
    static final class Approve implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(paramLabel = "CODE", description = "the 8-character code")
        String code;

        @Override
        public Integer call() {
            try (Store store = Store.open(config.load().dataDir())) {
                var approved = new AccessStore(store.dataSource())
                        .approve(code.strip().toUpperCase(Locale.ROOT), "cli", Instant.now());
                if (approved.isEmpty()) {
                    System.err.println("no pending code " + code + ": it may be mistyped, used already, or older than "
                            + "an hour (the person gets a new one by writing again). ./claw4j access list shows the pending ones.");
                    return 1;
                }
                var c = approved.get();
                store.audit(null, "access.granted", c.platform() + ":" + c.userId() + " (" + c.userName()
                        + ") by code, from the command line", null);
                System.out.println("approved " + c.userName() + " (" + c.platform() + ":" + c.userId()
                        + "): they can talk to the bot now");
                return 0;
            }
        }
    }

    @Command(name = "list", description = "List pending pairing codes and granted people.")
    static final class ListAccess implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            Config cfg = config.load();
            try (Store store = Store.open(cfg.dataDir())) {
                AccessStore access = new AccessStore(store.dataSource());
                System.out.println("dm policy: " + cfg.access().dm());
                System.out.println("pending codes:");
                access.pendingCodes(Instant.now()).forEach(c -> System.out.println("  " + c.code() + "  " + c.userName()
                        + " (" + c.platform() + ":" + c.userId() + "), valid until " + c.expiresAt()));
                System.out.println("granted:");
                access.grants().forEach(g -> System.out.println("  " + g.platform() + ":" + g.userId() + " since "
                        + g.grantedAt() + " by " + g.grantedBy()));
                cfg.access().allowedUsers().forEach(u -> System.out.println("  " + u + " (config access.allowedUsers)"));
                cfg.access().admins().forEach(u -> System.out.println("  " + u + " (config access.admins)"));
                return 0;
            }
        }
    }

    @Command(name = "revoke", description = "Take back a person's access granted by a code.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(paramLabel = "PLATFORM:ID", description = "for example telegram:123456 or web:ana")
        String who;

        @Override
        public Integer call() {
            int colon = who.indexOf(':');
            if (colon < 1) {
                System.err.println("write the person as platform:id, for example web:ana");
                return 2;
            }
            try (Store store = Store.open(config.load().dataDir())) {
                boolean revoked = new AccessStore(store.dataSource()).revoke(who.substring(0, colon), who.substring(colon + 1));
                System.out.println(revoked ? "revoked " + who : who + " had no access granted by a code "
                        + "(people in config access.allowedUsers/admins are changed in the config)");
                return revoked ? 0 : 1;
            }
        }
    }
}
