package dev.claw4j.sandbox.kubernetes;

import dev.claw4j.core.folder.GroupFolders;
import dev.claw4j.core.sandbox.Sandbox;
import dev.claw4j.core.sandbox.SandboxException;
import dev.claw4j.core.sandbox.SandboxExit;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A group's agent running as an exec in its claimed sandbox pod: stdin, stdout and stderr travel over the exec
 * WebSocket (through the API server and the kubelet), so no network path to the agent exists. Files go in and out
 * through further execs in the pod, never through a host path. Stopping it deletes the claim; the agent-sandbox
 * controller then removes the Sandbox and its pod.
 */
final class PodSandbox implements Sandbox {
    private static final Logger log = LoggerFactory.getLogger("dev.claw4j.sandbox.agent");
    private static final int STDERR_LINE_CAP = 4096;

    /** Reads one regular file; the exit code says why it refused (links are not followed, as in the Docker path). */
    static final String READ_SCRIPT = "if [ -L \"$1\" ]; then exit 3; fi; if [ ! -e \"$1\" ]; then exit 5; fi; "
            + "if [ ! -f \"$1\" ]; then exit 4; fi; exec head -c \"$2\" -- \"$1\"";
    /**
     * Writes one file of {@code $2} bytes from stdin; refuses a link the agent left at that path or as its folder
     * (the folder is made when missing). The bytes go to a new file of a random name first (mktemp: never one the
     * agent placed, such as a FIFO), which then replaces the path (a rename: a link there is replaced, not followed).
     * It reads a known length rather than to end of input: over the v4 exec protocol a client cannot close stdin.
     */
    static final String WRITE_SCRIPT = "set -e; d=$(dirname -- \"$1\"); if [ -L \"$1\" ]; then exit 3; fi; "
            + "if [ -L \"$d\" ] || { [ -e \"$d\" ] && [ ! -d \"$d\" ]; }; then exit 4; fi; mkdir -p -- \"$d\"; "
            + "t=$(mktemp -- \"$d/.incoming.XXXXXX\"); head -c \"$2\" > \"$t\"; mv -fT -- \"$t\" \"$1\"";

    /** How long the kubelet may take to report an OOM kill in the pod's status after the exec ended. */
    private static final Duration OOM_REPORT_WAIT = Duration.ofSeconds(3);

    private final KubernetesClient client;
    private final String namespace;
    private final String podName;
    private final String claimName;
    private final String groupId;
    private final ExecWatch agent;
    private final Runnable deleteClaim;
    private final CompletableFuture<SandboxExit> exit = new CompletableFuture<>();
    private final AtomicBoolean stopped = new AtomicBoolean();

    PodSandbox(KubernetesClient client, String namespace, String podName, String claimName, String groupId,
               List<String> command, Runnable deleteClaim) {
        this.client = client;
        this.namespace = namespace;
        this.podName = podName;
        this.claimName = claimName;
        this.groupId = groupId;
        this.deleteClaim = deleteClaim;
        // fabric8's exec output stream asks the server for more only as it is read: a host that stops reading
        // stdout holds the agent back instead of buffering what it writes
        this.agent = client.pods().inNamespace(namespace).withName(podName).inContainer(SandboxObjects.CONTAINER)
                .redirectingInput().redirectingOutput().redirectingError()
                .exec(command.toArray(String[]::new));
        // off fabric8's thread: telling an OOM kill reads the pod, which may take a moment to say so
        agent.exitCode().whenComplete((code, error) -> Thread.ofVirtual().start(() -> exit.complete(stopped.get()
                ? new SandboxExit(code == null ? -1 : code, false)
                : exitOf(client, namespace, podName, code == null ? -1 : code))));
        Thread.ofVirtual().name("sandbox-stderr-" + claimName).start(this::logStderr);
    }

    private void logStderr() {
        try (var lines = new BufferedReader(new InputStreamReader(agent.getError(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                MDC.put("group", groupId);
                log.info("[{}] agent: {}", groupId,
                        line.length() > STDERR_LINE_CAP ? line.substring(0, STDERR_LINE_CAP) : line);
                MDC.remove("group");
            }
        } catch (IOException e) {
            log.debug("[{}] stderr of {} ended: {}", groupId, claimName, e.getMessage());
        }
    }

    @Override
    public String groupId() {
        return groupId;
    }

    /** The claim's name, which the pod and the Sandbox are found by. */
    @Override
    public String name() {
        return claimName;
    }

    String podName() {
        return podName;
    }

    @Override
    public OutputStream stdin() {
        return agent.getInput();
    }

    @Override
    public InputStream stdout() {
        return agent.getOutput();
    }

    @Override
    public CompletableFuture<SandboxExit> exit() {
        return exit;
    }

    @Override
    public byte[] readFile(String path, int maxBytes) {
        var out = new ByteArrayOutputStream();
        int code = run(List.of("sh", "-c", READ_SCRIPT, "sh", path, String.valueOf(maxBytes + 1L)), null, out,
                maxBytes + 1);
        switch (code) {
            case 0 -> { }
            case 3 -> throw new SandboxException(path + " is a link; send the file it points to");
            case 4 -> throw new SandboxException(path + " is not a plain file");
            case 5 -> throw new SandboxException(path + " does not exist in the sandbox");
            default -> throw new SandboxException("could not read " + path + " from the sandbox of " + groupId
                    + " (exit " + code + ")");
        }
        if (out.size() > maxBytes) {
            throw new SandboxException(path + " is more than " + maxBytes + " bytes; the most that can be sent is "
                    + maxBytes);
        }
        return out.toByteArray();
    }

    /** The group's folder is the pod's volume, which the host never sees: files for the agent go through the pod. */
    @Override
    public boolean seesHostFolder() {
        return false;
    }

    @Override
    public String putInbox(String name, byte[] content) {
        String path = GroupFolders.INBOX + "/" + GroupFolders.safeName(name);
        writeFile(path, content);
        return path;
    }

    /** Puts a file into the sandbox (a file a person sent, for the group's inbox), through the pod. */
    void writeFile(String path, byte[] content) {
        int code = run(List.of("sh", "-c", WRITE_SCRIPT, "sh", path, String.valueOf(content.length)), content,
                new ByteArrayOutputStream(), 0);
        if (code == 3) {
            throw new SandboxException(path + " is a link in the sandbox; the file was not written");
        }
        if (code == 4) {
            throw new SandboxException("the folder of " + path + " is a link or not a folder in the sandbox; the file "
                    + "was not written. Make it a plain folder again");
        }
        if (code != 0) {
            throw new SandboxException("could not write " + path + " in the sandbox of " + groupId + " (exit " + code
                    + ")");
        }
    }

    /** Runs a short command in the pod beside the agent; keeps at most {@code cap} bytes of its output. */
    private int run(List<String> command, byte[] input, ByteArrayOutputStream out, int cap) {
        var exec = client.pods().inNamespace(namespace).withName(podName).inContainer(SandboxObjects.CONTAINER);
        try (ExecWatch watch = (input == null ? exec.redirectingOutput() : exec.redirectingInput().redirectingOutput())
                .exec(command.toArray(String[]::new))) {
            if (input != null) {
                try (OutputStream in = watch.getInput()) {
                    in.write(input);
                }
            }
            try (InputStream output = watch.getOutput()) {
                out.write(output.readNBytes(cap));
            } catch (IOException e) {
                // fabric8 fails the output stream when the command exits non-zero; its exit code says why
            }
            return watch.exitCode().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while reaching into the sandbox of " + groupId);
        } catch (Exception e) {
            throw new SandboxException("could not run " + command.get(0) + " in pod " + podName + " of group "
                    + groupId + ": " + e.getMessage() + "; check the host's RBAC for pods/exec", e);
        }
    }

    /**
     * How an exec ended: {@code code}, and out of memory when the kubelet reports its container OOMKilled (its state
     * or last state terminated with that reason). Only a kill looks like one (137 = 128 + SIGKILL; -1 when the stream
     * ended without a status, as when the container died with it), and the kubelet reports it a moment later, so
     * those wait for it a little; an agent that exits by itself does not.
     */
    static SandboxExit exitOf(KubernetesClient client, String namespace, String pod, long code) {
        if (code != 137 && code != -1) {
            return new SandboxExit(code, false);
        }
        long deadline = System.nanoTime() + OOM_REPORT_WAIT.toNanos();
        while (true) {
            try {
                if (oomKilled(client.pods().inNamespace(namespace).withName(pod).get())) {
                    return new SandboxExit(code, true);
                }
            } catch (RuntimeException e) {
                log.debug("could not read pod {} for an OOM kill: {}", pod, e.getMessage());
            }
            if (System.nanoTime() > deadline) {
                return new SandboxExit(code, false);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new SandboxExit(code, false);
            }
        }
    }

    static boolean oomKilled(Pod pod) {
        if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return false;
        }
        for (ContainerStatus status : pod.getStatus().getContainerStatuses()) {
            if (SandboxObjects.CONTAINER.equals(status.getName())
                    && (oomKilled(status.getState()) || oomKilled(status.getLastState()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean oomKilled(ContainerState state) {
        return state != null && state.getTerminated() != null
                && "OOMKilled".equals(state.getTerminated().getReason());
    }

    @Override
    public void stop(Duration grace) {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        try {
            agent.getInput().close(); // end of input: the agent finishes its turn and leaves
        } catch (IOException | RuntimeException e) {
            log.debug("[{}] closing stdin of {}: {}", groupId, claimName, e.getMessage());
        }
        try {
            exit.get(Math.max(0, grace.toMillis()), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // it did not leave in time; deleting the claim takes the pod down with it
        }
        agent.close();
        deleteClaim.run();
        exit.complete(new SandboxExit(-1, false));
    }
}
