package dev.claw4j.core.turn.calls;

import dev.claw4j.core.folder.GroupFolders;
import dev.claw4j.core.model.Attachment;
import dev.claw4j.core.outbox.Outbox;
import dev.claw4j.core.sandbox.SandboxException;
import dev.claw4j.core.sandbox.SandboxManager;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code send_file}: a file from the sandbox to the turn's chat. The file is read through the sandbox runtime, as
 * the sandbox sees it, so no path or link the agent makes can reach a host file; the host keeps a copy.
 */
public final class SendFileCall implements HostCall {
    private final Outbox outbox;
    private final SandboxManager sandboxes;
    private final GroupFolders folders;

    public SendFileCall(Outbox outbox, SandboxManager sandboxes, GroupFolders folders) {
        this.outbox = outbox;
        this.sandboxes = sandboxes;
        this.folders = folders;
    }

    @Override
    public String method() {
        return "send_file";
    }

    @Override
    public HostMessage handle(CallContext context, AgentMessage.HostCall call) {
        String groupId = context.groupId();
        String path = call.args().getOrDefault("path", "").strip();
        if (path.isEmpty()) {
            return HostMessage.HostResult.failed(call.id(), "send_file needs a \"path\"");
        }
        String inSandbox = path.startsWith("/") ? path : "/workspace/group/" + path;
        SandboxManager.Live live = sandboxes.live(groupId);
        if (live == null) {
            return HostMessage.HostResult.failed(call.id(), "no sandbox is running for this group");
        }
        byte[] content;
        try {
            content = live.sandbox().readFile(inSandbox, Attachment.MAX_BYTES);
        } catch (SandboxException e) {
            context.audit("host.send_file.refused", e.getMessage());
            return HostMessage.HostResult.failed(call.id(), e.getMessage());
        }
        Path copy = folders.keepOutgoing(inSandbox.substring(inSandbox.lastIndexOf('/') + 1), content);
        outbox.send(groupId, context.platform(), context.chatId(), context.threadId(),
                call.args().getOrDefault("caption", ""), null, List.of(), false, copy, context.fence());
        context.audit("host.send_file", inSandbox + " (" + content.length + " bytes)");
        return HostMessage.HostResult.ok(call.id(), "sent " + inSandbox + " (" + content.length + " bytes)");
    }
}
