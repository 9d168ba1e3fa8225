package dev.claw4j.sandbox;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Statistics;
import dev.claw4j.core.sandbox.AgentJvm;
import dev.claw4j.core.sandbox.ExecResult;
import dev.claw4j.core.sandbox.Isolation;
import dev.claw4j.core.sandbox.Sandbox;
import dev.claw4j.core.sandbox.SandboxException;
import dev.claw4j.core.sandbox.SandboxExit;
import dev.claw4j.core.sandbox.SandboxRuntime;
import dev.claw4j.core.sandbox.SandboxSpec;
import dev.claw4j.core.sandbox.SandboxUsage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link SandboxRuntime} on the Docker Engine API (docker-java), with the runtime the daemon offers. */
public final class DockerSandboxRuntime implements SandboxRuntime {
    private static final Logger log = LoggerFactory.getLogger(DockerSandboxRuntime.class);

    private final DockerClient docker;
    private final SandboxSettings settings;
    private final Isolation isolation;

    /** Fails with a {@link SandboxException} naming what to do when the daemon cannot give the isolation asked for. */
    public DockerSandboxRuntime(DockerClient docker, SandboxSettings settings) {
        this.docker = docker;
        this.settings = settings;
        this.isolation = RuntimeSelector.choose(DaemonInfo.runtimes(docker), settings.runtime(),
                settings.requireSecondWall());
    }

    @Override
    public Isolation isolation() {
        return isolation;
    }

    @Override
    public Sandbox start(SandboxSpec spec) {
        String id = create(spec, AgentJvm.command(spec.limits()), true);
        try {
            return AttachedSandbox.attachAndStart(docker, id, spec.groupId());
        } catch (RuntimeException e) {
            removeQuietly(id);
            throw new SandboxException("could not start the sandbox of group " + spec.groupId() + " with runtime "
                    + isolation.runtime() + ": " + e.getMessage() + "; run ./claw4j doctor", e);
        }
    }

    @Override
    public ExecResult exec(SandboxSpec spec, List<String> command, Duration timeout, int maxOutputBytes) {
        String id = create(spec, command, false);
        var stdout = new CappedBuffer(maxOutputBytes);
        var stderr = new CappedBuffer(maxOutputBytes);
        try (var callback = docker.attachContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true)
                .exec(new ResultCallback.Adapter<Frame>() {
                    @Override
                    public void onNext(Frame frame) {
                        (frame.getStreamType() == com.github.dockerjava.api.model.StreamType.STDERR ? stderr : stdout)
                                .write(frame.getPayload());
                    }
                })) {
            callback.awaitStarted(10, TimeUnit.SECONDS);
            docker.startContainerCmd(id).exec();
            var waiting = docker.waitContainerCmd(id).start();
            boolean timedOut = false;
            try {
                waiting.awaitStatusCode(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (DockerException e) {
                if (!String.valueOf(e.getMessage()).contains("timeout")) {
                    throw e;
                }
                timedOut = true;
            } catch (RuntimeException e) {
                // docker-java signals the wait timeout with a plain DockerClientException
                timedOut = true;
            }
            if (timedOut) {
                killQuietly(id);
                docker.waitContainerCmd(id).start().awaitStatusCode(30, TimeUnit.SECONDS);
            }
            callback.awaitCompletion(5, TimeUnit.SECONDS);
            SandboxExit exit = exitOf(docker, id, timedOut);
            return new ExecResult(exit, stdout.text(), stderr.text(), timedOut,
                    stdout.truncated() || stderr.truncated());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while running a command in group " + spec.groupId());
        } catch (IOException e) {
            throw new SandboxException("lost the output of a command in group " + spec.groupId() + ": " + e.getMessage(), e);
        } finally {
            removeQuietly(id);
        }
    }

    /** Docker's stats, one reading (it takes two samples about a second apart for the CPU figure). */
    @Override
    public Optional<SandboxUsage> usage(String sandboxName) {
        var first = new CompletableFuture<Statistics>();
        try (var callback = docker.statsCmd(sandboxName).withNoStream(true)
                .exec(new ResultCallback.Adapter<Statistics>() {
                    @Override
                    public void onNext(Statistics stats) {
                        first.complete(stats);
                    }
                })) {
            var stats = first.get(10, TimeUnit.SECONDS);
            var memory = stats.getMemoryStats();
            var cpu = stats.getCpuStats();
            var before = stats.getPreCpuStats();
            double percent = 0;
            if (cpu != null && before != null && cpu.getCpuUsage() != null && before.getCpuUsage() != null
                    && cpu.getSystemCpuUsage() != null && before.getSystemCpuUsage() != null) {
                long used = cpu.getCpuUsage().getTotalUsage() - before.getCpuUsage().getTotalUsage();
                long system = cpu.getSystemCpuUsage() - before.getSystemCpuUsage();
                long cores = cpu.getOnlineCpus() == null ? 1 : cpu.getOnlineCpus();
                percent = system > 0 && used > 0 ? 100.0 * used / system * cores : 0;
            }
            long bytes = memory == null || memory.getUsage() == null ? 0 : memory.getUsage();
            return Optional.of(new SandboxUsage(bytes, percent));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            log.debug("no stats for {}: {}", sandboxName, e.toString());
            return Optional.empty();
        }
    }

    @Override
    public boolean reachable() {
        try {
            docker.pingCmd().exec();
            return true;
        } catch (RuntimeException e) {
            log.debug("Docker does not answer a ping: {}", e.toString());
            return false;
        }
    }

    @Override
    public int removeOrphans() {
        List<Container> mine = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(Labels.INSTALL, settings.installId())).exec();
        for (Container c : mine) {
            log.info("removing orphan sandbox {} of group {}", c.getNames()[0], c.getLabels().get(Labels.GROUP));
            removeQuietly(c.getId());
        }
        return mine.size();
    }

    @Override
    public int removeOrphans(Set<String> goneHostsOnThisMachine) {
        // containers made from now on are a live host's (a gone host may be restarting), never orphans
        long startedAt = System.currentTimeMillis() / 1000;
        int removed = removeOrphans();
        if (goneHostsOnThisMachine.isEmpty()) {
            return removed;
        }
        List<Container> onThisMachine = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(Labels.MACHINE, settings.machineId())).exec();
        for (Container c : onThisMachine) {
            String host = c.getLabels().get(Labels.INSTALL);
            if (host != null && !host.equals(settings.installId()) && goneHostsOnThisMachine.contains(host)
                    && c.getCreated() != null && c.getCreated() < startedAt) {
                log.info("[{}] removing orphan sandbox {} left by host {}, which is gone (stopped, or no heartbeat "
                        + "for a lease time)", c.getLabels().get(Labels.GROUP), c.getNames()[0], host);
                removeQuietly(c.getId());
                removed++;
            }
        }
        return removed;
    }

    @Override
    public void close() {
        try {
            docker.close();
        } catch (IOException e) {
            log.debug("closing the docker client", e);
        }
    }

    private String create(SandboxSpec spec, List<String> command, boolean withStdin) {
        GroupFolder.prepare(spec.groupDir());
        if (spec.globalDir() != null) {
            GroupFolder.prepareShared(spec.globalDir());
        }
        Map<String, String> labels = new HashMap<>();
        labels.put(Labels.INSTALL, settings.installId());
        labels.put(Labels.MACHINE, settings.machineId());
        labels.put(Labels.GROUP, spec.groupId());
        labels.put(Labels.RUNTIME, isolation.runtime());
        CreateContainerCmd cmd = docker.createContainerCmd(settings.image())
                .withName(containerName(spec.groupId()))
                .withUser(HardenedContainer.USER)
                .withEnv(HardenedContainer.ENV)
                .withWorkingDir(HardenedContainer.GROUP_MOUNT)
                .withEntrypoint(List.of())
                .withCmd(command)
                .withLabels(labels)
                .withNetworkDisabled(true)
                .withTty(false)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withAttachStdin(withStdin)
                .withStdinOpen(withStdin)
                .withStdInOnce(withStdin)
                .withHostConfig(HardenedContainer.hostConfig(isolation.runtime(), spec));
        try {
            return cmd.exec().getId();
        } catch (NotFoundException e) {
            throw new SandboxException("the agent image " + settings.image() + " is missing; build it with "
                    + "./claw4j image build", e);
        } catch (DockerException e) {
            throw new SandboxException("Docker refused to create the sandbox of group " + spec.groupId() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            // the daemon gone (its socket refused or missing): a SandboxException, so the turn keeps its messages
            // instead of failing past AgentTurns and leaving them RUNNING until the next start
            throw new SandboxException("could not reach Docker at " + DockerClients.endpoint() + " to create the "
                    + "sandbox of group " + spec.groupId() + ": " + e.getMessage(), e);
        }
    }

    private String containerName(String groupId) {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        return "claw4j-" + groupId + "-" + HexFormat.of().formatHex(random);
    }

    /**
     * The exit of a container that has ended. Docker's own {@code OOMKilled} misses some OOM kills under runsc (seen
     * 2 in 24 on a loaded machine: the kernel's {@code oom} event came after {@code die}, and Docker never updates a
     * stopped container's state for it; or it came not at all, when the shim had not yet watched the cgroup): so an
     * exit 137 that nobody here asked for is also checked against Docker's event log for an {@code oom} of this
     * container, for up to 2 s.
     */
    static SandboxExit exitOf(DockerClient docker, String id, boolean killedHere) throws InterruptedException {
        InspectContainerResponse inspect = docker.inspectContainerCmd(id).exec();
        SandboxExit exit = exitOf(inspect);
        if (killedHere || exit.exitCode() != 137 || exit.outOfMemory()) {
            return exit;
        }
        String since = createdSecond(inspect.getCreated());
        for (int i = 0; i < 4; i++) {
            if (oomEventOf(docker, id, since)) {
                return new SandboxExit(exit.exitCode(), true);
            }
            Thread.sleep(500);
        }
        return exit;
    }

    /** The second before the container was made, for an event query; from the epoch when Docker's date is odd. */
    private static String createdSecond(String created) {
        try {
            return String.valueOf(java.time.OffsetDateTime.parse(created).toEpochSecond() - 1);
        } catch (RuntimeException e) {
            return "0";
        }
    }

    /** Whether Docker's event log (a bounded ring in the daemon) holds an {@code oom} of the container since then. */
    private static boolean oomEventOf(DockerClient docker, String id, String since) throws InterruptedException {
        AtomicBoolean seen = new AtomicBoolean();
        var callback = docker.eventsCmd().withContainerFilter(id).withEventFilter("oom").withSince(since)
                .withUntil(String.valueOf(Instant.now().getEpochSecond() + 1))
                .exec(new ResultCallback.Adapter<Event>() {
                    @Override
                    public void onNext(Event event) {
                        seen.set(true);
                    }
                });
        try {
            callback.awaitCompletion(3, TimeUnit.SECONDS);
        } finally {
            try {
                callback.close();
            } catch (IOException ignored) {
                // the query has ended or is given up: nothing to release
            }
        }
        return seen.get();
    }

    static SandboxExit exitOf(InspectContainerResponse inspect) {
        var state = inspect.getState();
        Long code = state.getExitCodeLong();
        return new SandboxExit(code == null ? -1 : code, Boolean.TRUE.equals(state.getOOMKilled()));
    }

    private void killQuietly(String id) {
        try {
            docker.killContainerCmd(id).exec();
        } catch (RuntimeException e) {
            log.debug("kill {}: {}", id, e.getMessage());
        }
    }

    private void removeQuietly(String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (RuntimeException e) {
            log.warn("could not remove container {}: {}", id, e.getMessage());
        }
    }

    /** Keeps the first {@code cap} bytes of a stream and notes whether more came. */
    static final class CappedBuffer {
        private final int cap;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private boolean truncated;

        CappedBuffer(int cap) {
            this.cap = cap;
        }

        synchronized void write(byte[] data) {
            int room = cap - bytes.size();
            if (data.length > room) {
                truncated = true;
            }
            bytes.write(data, 0, Math.max(0, Math.min(room, data.length)));
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        synchronized boolean truncated() {
            return truncated;
        }
    }

}
