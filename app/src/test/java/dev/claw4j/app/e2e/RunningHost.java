package dev.claw4j.app.e2e;

import dev.claw4j.app.Claw4j;
import dev.claw4j.app.Config;
import dev.claw4j.app.demo.DemoModelServer;
import dev.claw4j.core.llm.ModelSettings;
import dev.claw4j.sandbox.AgentImage;
import dev.claw4j.sandbox.DockerClients;
import dev.claw4j.sandbox.DockerSandboxRuntime;
import dev.claw4j.sandbox.SandboxSettings;
import dev.claw4j.core.connector.Connector;
import dev.claw4j.web.WebConnector;
import dev.claw4j.web.WebSettings;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The real host, in this JVM: H2 on disk, real gVisor sandboxes with the real agent, the web chat on a free
 * port, and the scripted OpenAI-compatible model on loopback, reached through the real OpenAI client.
 */
final class RunningHost implements AutoCloseable {
    final DemoModelServer model;
    final Claw4j claw4j;
    final WebChatClient chat;
    final String installId = "e2e-" + UUID.randomUUID().toString().substring(0, 8);

    RunningHost(Path data, int maxSandboxes, String idleTimeout) throws Exception {
        this(data, maxSandboxes, idleTimeout, "2m");
    }

    RunningHost(Path data, int maxSandboxes, String idleTimeout, String turnTimeout) throws Exception {
        this(data, maxSandboxes, idleTimeout, turnTimeout, List.of(), "per-chat");
    }

    /**
     * With {@code extra} connectors besides the web chat, and a binding policy: connector tests point their
     * connector at a wire-level fake of the platform and pass it here.
     */
    RunningHost(Path data, int maxSandboxes, String idleTimeout, String turnTimeout, List<Connector> extra,
                String bindingPolicy) throws Exception {
        this(data, new Config.Sandbox("runsc", true, null, null, null, null, null, turnTimeout, idleTimeout,
                maxSandboxes), extra, bindingPolicy);
    }

    RunningHost(Path data, Config.Sandbox sandbox, List<Connector> extra, String bindingPolicy) throws Exception {
        this(data, sandbox, extra, bindingPolicy, new Config.Access("open", null, null, null));
    }

    RunningHost(Path data, Config.Sandbox sandbox, List<Connector> extra, String bindingPolicy, Config.Access access)
            throws Exception {
        this(data, config -> config.withBinding(new Config.Binding(bindingPolicy)).withAccess(access)
                .withSandbox(sandbox), extra);
    }

    /** The test adjusts the config the host runs with. */
    RunningHost(Path data, UnaryOperator<Config> tweak, List<Connector> extra) throws Exception {
        this(data, tweak, extra, Clock.systemUTC());
    }

    /** The full form: and the clock scheduled tasks run by (set ahead, a due time comes within seconds). */
    RunningHost(Path data, UnaryOperator<Config> tweak, List<Connector> extra, Clock taskClock) throws Exception {
        AgentImage.ensure(DockerClients.connect(), Path.of(System.getProperty("claw4j.agentJar")),
                line -> System.out.println("[image] " + line));
        model = new DemoModelServer(0);
        model.start();
        Config config = tweak.apply(Config.defaults().withDataDir(data)
                .withAccess(new Config.Access("open", null, null, null))
                .withConnectors(new Config.Connectors(new Config.Web(true, "127.0.0.1", 0)))
                .withAdmin(new Config.Admin(true, "127.0.0.1", 0)) // the console on a free port: ITs run side by side
                .withSandbox(new Config.Sandbox("runsc", true, null, null, null, null, null, "2m", "1m", 4)));
        var runtime = new DockerSandboxRuntime(DockerClients.connect(),
                new SandboxSettings("runsc", true, null, installId));
        List<Connector> connectors = new ArrayList<>();
        connectors.add(new WebConnector(new WebSettings("127.0.0.1", 0, "claw", config.dataDir())));
        connectors.addAll(extra);
        claw4j = new Claw4j(config, runtime, ModelSettings.of("openai", "claw4j-demo", "demo-key", model.baseUrl()),
                connectors, taskClock);
        claw4j.start();
        chat = new WebChatClient(((WebConnector) claw4j.connector("web")).port(), config.dataDir());
    }

    @Override
    public void close() {
        claw4j.close();
        model.close();
    }
}
