package dev.claw4j.sandbox;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.claw4j.core.sandbox.Sandbox;
import dev.claw4j.core.sandbox.SandboxException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import dev.claw4j.core.sandbox.SandboxExit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A running container whose stdio is attached over the Docker API: no network path to the agent exists.
 * stdout frames become {@link #stdout()}; stderr lines go to the host log under the group's id, at most
 * {@value #STDERR_LINES_PER_WINDOW} lines per 10 s.
 *
 * <p>Both directions are bounded. When the host does not read {@link #stdout()}, the attach callback blocks
 * in {@link ByteQueue#out}, Docker's attach stream is no longer read, and the agent's own writes block in its
 * pipe: a sandbox cannot make the host buffer its output. The other way, a sandbox that stops reading its
 * stdin makes the host's writes wait, and after {@link #STDIN_STALL} the host gives up and closes it.
 */
final class AttachedSandbox implements Sandbox {
    private static final Logger log = LoggerFactory.getLogger("dev.claw4j.sandbox.agent");
    private static final int STDERR_LINE_CAP = 4096;
    private static final int STDERR_LINES_PER_WINDOW = 200;
    private static final long STDERR_WINDOW_NANOS = Duration.ofSeconds(10).toNanos();
    /** The agent reads stdin whenever it waits for the host; one that takes nothing for this long is stuck. */
    static final Duration STDIN_STALL = Duration.ofSeconds(60);

    private final DockerClient docker;
    private final String containerId;
    private final String name;
    private final String groupId;
    private final ByteQueue toAgent = new ByteQueue(ByteQueue.DEFAULT_CAPACITY, STDIN_STALL);
    private final ByteQueue fromAgent = new ByteQueue();
    private final CompletableFuture<SandboxExit> exit = new CompletableFuture<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final ByteArrayOutputStream stderrLine = new ByteArrayOutputStream();
    private long stderrWindowStart = System.nanoTime();
    private int stderrLinesInWindow;
    private long stderrLinesDropped;
    private ResultCallback.Adapter<Frame> attachment;

    private AttachedSandbox(DockerClient docker, String containerId, String name, String groupId) {
        this.docker = docker;
        this.containerId = containerId;
        this.name = name;
        this.groupId = groupId;
    }

    static AttachedSandbox attachAndStart(DockerClient docker, String containerId, String groupId) {
        String name = docker.inspectContainerCmd(containerId).exec().getName().replaceFirst("^/", "");
        var sandbox = new AttachedSandbox(docker, containerId, name, groupId);
        sandbox.attach();
        docker.startContainerCmd(containerId).exec();
        Thread.ofVirtual().name("sandbox-wait-" + name).start(sandbox::awaitExit);
        return sandbox;
    }

    private void attach() {
        // attach before start, so not one byte the agent writes at start-up is missed
        attachment = docker.attachContainerCmd(containerId)
                .withStdIn(toAgent.in)
                .withStdOut(true)
                .withStdErr(true)
                .withFollowStream(true)
                .exec(new ResultCallback.Adapter<>() {
                    @Override
                    public void onNext(Frame frame) {
                        if (frame.getStreamType() == StreamType.STDERR) {
                            logStderr(frame.getPayload());
                        } else {
                            try {
                                // blocks while the host is not reading: that is the backpressure
                                fromAgent.out.write(frame.getPayload());
                            } catch (IOException closed) {
                                // the host stopped reading; drop the rest
                            }
                        }
                    }

                    @Override
                    public void onComplete() {
                        fromAgent.close();
                        super.onComplete();
                    }

                    @Override
                    public void onError(Throwable error) {
                        if (!stopped.get()) {
                            log.warn("[{}] lost the sandbox's stdio: {}", groupId, error.toString());
                        }
                        fromAgent.close();
                        super.onError(error);
                    }
                });
        try {
            if (!attachment.awaitStarted(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("attaching to the container took longer than 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while attaching", e);
        }
    }

    private void awaitExit() {
        SandboxExit result = new SandboxExit(-1, false);
        try {
            docker.waitContainerCmd(containerId).start().awaitStatusCode();
            result = DockerSandboxRuntime.exitOf(docker, containerId, stopped.get());
            if (!stopped.get()) {
                MDC.put("group", groupId);
                log.info("[{}] sandbox {} {}", groupId, name, result.describe());
                MDC.remove("group");
            }
        } catch (RuntimeException gone) {
            // removed under us, or the daemon went away: either way it has ended
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            fromAgent.close();
            toAgent.close();
            // removed before anyone hears it ended, so "ended" always means "gone" (the sandbox cap counts on it)
            remove();
            exit.complete(result);
        }
    }

    private synchronized void logStderr(byte[] payload) {
        MDC.put("group", groupId);
        try {
            for (byte b : payload) {
                if (b == '\n' || stderrLine.size() >= STDERR_LINE_CAP) {
                    logStderrLine(stderrLine.toString(StandardCharsets.UTF_8));
                    stderrLine.reset();
                    if (b == '\n') {
                        continue;
                    }
                }
                stderrLine.write(b);
            }
        } finally {
            MDC.remove("group");
        }
    }

    /** Logs one line of the agent's stderr unless this window's share is used up; a flood must not fill the log. */
    private void logStderrLine(String line) {
        long now = System.nanoTime();
        if (now - stderrWindowStart >= STDERR_WINDOW_NANOS) {
            if (stderrLinesDropped > 0) {
                log.warn("[{}] ... and {} more lines of the agent's stderr were not logged", groupId, stderrLinesDropped);
            }
            stderrWindowStart = now;
            stderrLinesInWindow = 0;
            stderrLinesDropped = 0;
        }
        if (stderrLinesInWindow++ < STDERR_LINES_PER_WINDOW) {
            log.info("[{}] agent: {}", groupId, line);
        } else {
            stderrLinesDropped++;
        }
    }

    @Override
    public String groupId() {
        return groupId;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public OutputStream stdin() {
        return toAgent.out;
    }

    @Override
    public InputStream stdout() {
        return fromAgent.in;
    }

    @Override
    public CompletableFuture<SandboxExit> exit() {
        return exit;
    }

    @Override
    public byte[] readFile(String path, int maxBytes) {
        // Docker's archive API resolves the path inside the container's own root, so a link the agent made
        // to a host path points into the sandbox, not at the host; a link itself comes back as a link entry
        InputStream tar = null;
        try {
            tar = docker.copyArchiveFromContainerCmd(containerId, path).exec();
            TarArchiveInputStream entries = new TarArchiveInputStream(tar);
            TarArchiveEntry entry = entries.getNextEntry();
            if (entry != null && (entry.isSymbolicLink() || entry.isLink())) {
                throw new SandboxException(path + " is a link; send the file it points to");
            }
            // (TarArchiveEntry.isFile() alone is true for links too, hence the check above)
            if (entry == null || !entry.isFile() || entry.isDirectory()) {
                throw new SandboxException(path + " is not a plain file");
            }
            if (entry.getSize() > maxBytes) {
                throw new SandboxException(path + " is " + entry.getSize() + " bytes; the most that can be sent is "
                        + maxBytes);
            }
            return entries.readNBytes(maxBytes);
        } catch (NotFoundException e) {
            throw new SandboxException(path + " does not exist in the sandbox");
        } catch (IOException | RuntimeException e) {
            if (e instanceof SandboxException se) {
                throw se;
            }
            throw new SandboxException("could not read " + path + " from the sandbox: " + e.getMessage(), e);
        } finally {
            closeOffThePath(tar);
        }
    }

    /**
     * Closing the archive stream reads the rest of it (the HTTP client drains a response to reuse its
     * connection): for a 10 GB sparse file that is minutes. A refusal must not wait for that, so the stream is
     * closed on its own virtual thread.
     */
    private static void closeOffThePath(InputStream tar) {
        if (tar != null) {
            Thread.ofVirtual().name("archive-close").start(() -> {
                try {
                    tar.close();
                } catch (IOException | RuntimeException e) {
                    // the connection is gone either way
                }
            });
        }
    }

    @Override
    public void stop(Duration grace) {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        toAgent.close();
        // Nobody will read what it writes from now on. Closing the pipe drops the rest of its output instead of
        // holding Docker's attach stream back: Docker does not finish a container's exit (so "stop" does not
        // return) until its output is copied out.
        fromAgent.close();
        try {
            docker.stopContainerCmd(containerId).withTimeout((int) Math.max(0, grace.toSeconds())).exec();
        } catch (RuntimeException e) {
            log.debug("[{}] stop {}: {}", groupId, name, e.getMessage());
        }
        try {
            exit.get(grace.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            remove();
        }
    }

    private void remove() {
        try {
            attachment.close();
        } catch (IOException | RuntimeException e) {
            log.debug("closing attachment", e);
        }
        try {
            docker.removeContainerCmd(containerId).withForce(true).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (RuntimeException e) {
            log.debug("[{}] remove {}: {}", groupId, name, e.getMessage());
        }
    }
}
