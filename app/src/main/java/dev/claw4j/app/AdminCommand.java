package dev.claw4j.app;

import dev.claw4j.app.admin.AdminToken;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The admin endpoint's credentials. */
@Command(name = "admin", description = "The local admin endpoint.", subcommands = AdminCommand.Token.class)
final class AdminCommand {

    @Command(name = "token", description = "Print the admin token (made now if claw4j never ran): "
            + "send it as Authorization: Bearer <token> to the admin endpoint, whose port is in <dataDir>/admin.port.")
    static final class Token implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            System.out.println(AdminToken.of(config.load().dataDir()).value());
            return 0;
        }
    }
}
