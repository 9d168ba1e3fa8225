package dev.claw4j.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code claw4j} command line. */
@Command(name = "claw4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A self-hosted host for sandboxed chat agents.",
        subcommands = {RunCommand.class, DemoCommand.class, DoctorCommand.class, AccessCommand.class, AdminCommand.class,
                SandboxCommand.class, ImageCommand.class, TasksCommand.class, BudgetsCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("run") || args[0].equals("demo"))) {
            // the long-running commands log what they do; one-shot commands stay quiet (read by logback.xml)
            System.setProperty("claw4j.log.level", "INFO");
        }
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // a user sees what went wrong and what to do, not a stack trace
                    cmd.getErr().println("claw4j: " + e.getMessage());
                    return 2;
                });
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"claw4j " + dev.claw4j.sandbox.AgentImage.VERSION};
        }
    }
}
