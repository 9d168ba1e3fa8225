package dev.claw4j.app;

import dev.claw4j.app.admin.AdminToken;
import dev.claw4j.core.llm.ModelSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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

    /** Starts everything and blocks until the process is asked to stop. */
    static int serve(Config config, ModelSettings model, String what) throws InterruptedException {
        Images.ensure();
        CountDownLatch stop = new CountDownLatch(1);
        try (var runtime = Sandboxes.runtime(config); var claw4j = new Claw4j(config, runtime, model)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                claw4j.close();
            }));
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
        }
        return 0;
    }
}
