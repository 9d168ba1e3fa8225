package dev.claw4j.app;

import dev.claw4j.app.admin.AccessAdmin;
import dev.claw4j.app.admin.AccessApi;
import dev.claw4j.app.admin.AdminClient;
import dev.claw4j.app.admin.AdminServer;
import dev.claw4j.core.store.DatabaseInUseException;
import dev.claw4j.core.store.Store;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * Who may talk to the bot: approve pairing codes, list and revoke access. While claw4j runs (it holds the
 * database) the commands go through its admin endpoint on loopback; otherwise they open the database themselves.
 */
@Command(name = "access", description = "Approve pairing codes, list and revoke who may DM the bot.",
        subcommands = {AccessCommand.Approve.class, AccessCommand.ListAccess.class, AccessCommand.Revoke.class})
final class AccessCommand {

    /** Runs {@code work} against the running host, or the database when no host runs. */
    static <T> T withAccess(Config config, Function<AccessApi, T> work) {
        Optional<AdminClient> running = AdminClient.ifRunning(config.dataDir());
        if (running.isPresent()) {
            return work.apply(running.get());
        }
        try (Store store = Store.open(config.dataDir())) {
            Config.Access a = config.access();
            return work.apply(new AccessAdmin(store, a.dm(), a.allowedUsers(), a.admins(), "cli", Clock.systemUTC()));
        } catch (DatabaseInUseException e) {
            throw new IllegalStateException("the database in " + config.dataDir() + " is in use by another process, "
                    + "but no claw4j admin endpoint answers for it (" + config.dataDir().resolve(AdminServer.PORT_FILE)
                    + " is missing or names a process that is gone). If claw4j is starting, try again in a moment; "
                    + "if another command holds it, wait for it; else stop the process that has "
                    + config.dataDir().resolve(Store.DATABASE_FILE) + " open (fuser -v that file shows it).", e);
        }
    }

    @Command(name = "approve", description = "Approve a pairing code a person got from the bot.")
    static final class Approve implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(paramLabel = "CODE", description = "the 8-character code")
        String code;

        @Override
        public Integer call() {
            var approved = withAccess(config.load(), access -> access.approve(code));
            if (approved.isEmpty()) {
                System.err.println("no pending code " + code + ": it may be mistyped, used already, or older than "
                        + "an hour (the person gets a new one by writing again). ./claw4j access list shows the pending ones.");
                return 1;
            }
            var c = approved.get();
            System.out.println("approved " + c.userName() + " (" + c.platform() + ":" + c.userId()
                    + "): they can talk to the bot now");
            return 0;
        }
    }

    @Command(name = "list", description = "List pending pairing codes and granted people.")
    static final class ListAccess implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            AccessApi.Overview o = withAccess(config.load(), AccessApi::overview);
            System.out.println("dm policy: " + o.dmPolicy());
            System.out.println("pending codes:");
            o.pending().forEach(c -> System.out.println("  " + c.code() + "  " + c.userName()
                    + " (" + c.platform() + ":" + c.userId() + "), valid until " + c.expiresAt()));
            System.out.println("granted:");
            o.granted().forEach(g -> System.out.println("  " + g.platform() + ":" + g.userId() + " since "
                    + g.grantedAt() + " by " + g.grantedBy()));
            o.allowedUsers().forEach(u -> System.out.println("  " + u + " (config access.allowedUsers)"));
            o.admins().forEach(u -> System.out.println("  " + u + " (config access.admins)"));
            return 0;
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
            boolean revoked = withAccess(config.load(),
                    access -> access.revoke(who.substring(0, colon), who.substring(colon + 1)));
            System.out.println(revoked ? "revoked " + who : who + " had no access granted by a code "
                    + "(people in config access.allowedUsers/admins are changed in the config)");
            return revoked ? 0 : 1;
        }
    }
}
