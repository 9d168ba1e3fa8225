package dev.claw4j.app;

import dev.claw4j.app.demo.DemoModelServer;
import dev.claw4j.core.llm.ModelSettings;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The whole real stack with the web chat and a scripted model on loopback, so a new user sees agents
 * work in their sandboxes without any key. The answers are scripted; the sandboxes, tools and storage are real.
 */
@Command(name = "demo", description = "Run claw4j with the web chat and a scripted model (no key needed).")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    ConfigOption configOption;

    @Option(names = "--port", description = "web chat port (default: connectors.web.port, 8080)")
    Integer port;

    @Override
    public Integer call() throws Exception {
        Config config = configOption.load();
        config = config.withDataDir(config.dataDir().resolve("demo"));
        // the demo is for the person at this machine: anyone on the loopback web chat may talk to it, in any room
        Config.Access access = config.access();
        config = config.withAccess(new Config.Access("open", "open", List.of(), access.allowedUsers(),
                access.admins()));
        Config.Web web = config.connectors().web();
        config = config.withConnectors(new Config.Connectors(new Config.Web(true, web.bind(),
                port != null ? port : web.port(), web.allowedHosts())));
        // the demo may talk for hours: the scripted model keeps only its last 1,000 requests
        try (DemoModelServer model = new DemoModelServer(0, 1000)) {
            model.start();
            ModelSettings settings = ModelSettings.of("openai", "claw4j-demo", "demo-key", model.baseUrl());
            System.out.println("""
                    claw4j demo: the answers come from a scripted model on loopback, not a real one.
                    The sandboxes, tools and storage are real. Try, in a room named dm-<you>:  run: ls -la
                    or in a group room:  @claw run: uname -a
                    For a real model, set model.provider/name/apiKey in config/claw4j.yaml and use ./claw4j run.""");
            return RunCommand.serve(config, settings, "scripted demo model at " + model.baseUrl());
        }
    }
}
