package dev.claw4j.app;

import dev.claw4j.app.admin.AdminToken;
import dev.claw4j.core.llm.ModelSettings;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs claw4j with the configured model and connectors until stopped (Ctrl-C). */
@Command(name = "run", description = "Run claw4j with the configured model and connectors.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOption configOption;

    @Override
    public Integer call() throws InterruptedException {
        Config config = configOption.load();
        ModelSettings model;
        try {
            model = config.model().settings();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return serve(config, model, "model " + model.label());
    }

    /** How long a stop (SIGTERM, Ctrl-C) may take before the JVM ends anyway. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Starts everything and blocks until the process is asked to stop. The stop is done once, in order, on this
     * thread: the shutdown hook only asks for it and waits until it is done. (Closing from the hook as well raced
     * the two closes: one closed the Docker client under the other's sweep for leftover sandboxes.)
     */
    static int serve(Config config, ModelSettings model, String what) throws InterruptedException {
        if (!config.sandbox().onKubernetes()) { // on a cluster the nodes pull sandbox.image; there is no Docker
            Images.ensure();
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                if (!stopped.await(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    System.err.println("claw4j: the stop took longer than " + STOP_TIMEOUT.toSeconds()
                            + " s; exiting anyway (the next start removes leftover sandboxes)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "claw4j-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (var runtime = Sandboxes.runtime(config); var claw4j = new Claw4j(config, runtime, model)) {
            claw4j.start();
            System.out.println("claw4j is running (" + what + ", isolation " + runtime.isolation().describe() + ")");
            if (claw4j.connector("web") instanceof dev.claw4j.web.WebConnector web) {
                // with the install's token: opening this address once lets the browser in
                System.out.println("web chat: " + web.url());
            }
            System.out.println("admin endpoint: http://127.0.0.1:" + claw4j.admin().port()
                    + "/admin/api/ (its token is in " + config.dataDir().resolve(AdminToken.FILE) + ")");
            System.out.println("stop with Ctrl-C");
            stop.await();
        } finally {
            stopped.countDown();
        }
        return 0;
    }
}
