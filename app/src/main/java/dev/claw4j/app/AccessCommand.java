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
@Command(name = "access", description = "Approve pairing codes, list and revoke who may DM the bot and which "
        + "group chats it answers in.",
        subcommands = {AccessCommand.Approve.class, AccessCommand.ListAccess.class, AccessCommand.Revoke.class})
final class AccessCommand {

    /** Runs {@code work} against the running host, or the database when no host runs. */
    static <T> T withAccess(Config config, Function<AccessApi, T> work) {
        Optional<AdminClient> running = AdminClient.ifRunning(config.dataDir());
        if (running.isPresent()) {
            return work.apply(running.get());
        }
        try (Store store = Store.open(config.store().location(config.dataDir()))) {
            return work.apply(new AccessAdmin(store, config.access(), "cli", Clock.systemUTC()));
        } catch (DatabaseInUseException e) {
            throw new IllegalStateException("the database in " + config.dataDir() + " is in use by another process, "
                    + "but no claw4j admin endpoint answers for it (" + config.dataDir().resolve(AdminServer.PORT_FILE)
                    + " is missing or names a process that is gone). If claw4j is starting, try again in a moment; "
                    + "if another command holds it, wait for it; else stop the process that has "
                    + config.dataDir().resolve(Store.DATABASE_FILE) + " open (fuser -v that file shows it).", e);
        }
    }

    /** How a group chat is written on the command line: {@code platform:chat:id}, e.g. {@code telegram:chat:-100123}. */
    static String chat(String platform, String chatId) {
        return platform + ":chat:" + chatId;
    }

    @Command(name = "approve", description = "Approve a pairing code a person (or a group chat) got from the bot.")
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
            if (c.chatId() != null) {
                System.out.println("approved the group chat " + chat(c.platform(), c.chatId()) + " (asked by "
                        + c.userName() + ", " + c.platform() + ":" + c.userId() + "): the bot answers mentions there now");
                return 0;
            }
            System.out.println("approved " + c.userName() + " (" + c.platform() + ":" + c.userId()
                    + "): they can talk to the bot now");
            return 0;
        }
    }

    @Command(name = "list", description = "List pending pairing codes, granted people and approved group chats.")
    static final class ListAccess implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            AccessApi.Overview o = withAccess(config.load(), AccessApi::overview);
            System.out.println("dm policy: " + o.dmPolicy());
            System.out.println("groups policy: " + o.groupsPolicy());
            System.out.println("pending codes:");
            o.pending().forEach(c -> System.out.println("  " + c.code() + "  " + (c.chatId() != null
                    ? "group chat " + chat(c.platform(), c.chatId()) + ", asked by " + c.userName() + " ("
                            + c.platform() + ":" + c.userId() + ")"
                    : c.userName() + " (" + c.platform() + ":" + c.userId() + ")") + ", valid until " + c.expiresAt()));
            System.out.println("granted:");
            o.granted().forEach(g -> System.out.println("  " + g.platform() + ":" + g.userId() + " since "
                    + g.grantedAt() + " by " + g.grantedBy()));
            o.allowedUsers().forEach(u -> System.out.println("  " + u + " (config access.allowedUsers)"));
            o.admins().forEach(u -> System.out.println("  " + u + " (config access.admins)"));
            System.out.println("group chats:");
            o.grantedChats().forEach(g -> System.out.println("  " + chat(g.platform(), g.chatId()) + " since "
                    + g.grantedAt() + " by " + g.grantedBy()));
            o.allowedChats().forEach(c -> System.out.println("  " + c + " (config access.allowedChats)"));
            return 0;
        }
    }

    @Command(name = "revoke", description = "Take back access granted by a code: a person (platform:id) or a "
            + "group chat (platform:chat:id).")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(paramLabel = "PLATFORM:ID | PLATFORM:chat:ID",
                description = "a person, for example telegram:123456 or web:ana; or a group chat, for example "
                        + "telegram:chat:-100123 (as access list shows it)")
        String who;

        @Override
        public Integer call() {
            int colon = who.indexOf(':');
            if (colon < 1 || colon == who.length() - 1) {
                System.err.println("write a person as platform:id (web:ana) or a group chat as platform:chat:id "
                        + "(telegram:chat:-100123)");
                return 2;
            }
            String platform = who.substring(0, colon);
            String rest = who.substring(colon + 1);
            boolean isChat = rest.startsWith("chat:") && rest.length() > "chat:".length();
            boolean revoked = withAccess(config.load(), access -> isChat
                    ? access.revokeChat(platform, rest.substring("chat:".length()))
                    : access.revoke(platform, rest));
            System.out.println(revoked ? "revoked " + who : who + " had no access granted by a code (people in "
                    + "config access.allowedUsers/admins and chats in access.allowedChats are changed in the config)");
            return revoked ? 0 : 1;
        }
    }
}
