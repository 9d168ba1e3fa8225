package dev.claw4j.agent;

import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.ToolSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a web page. The sandbox has no network: this is a host call, and the host fetches the URL only if the
 * chat's web allowlist names its host, never from a private address, with size and time caps. A long page can be
 * saved to a file instead of filling the conversation.
 */
final class WebFetchTool implements Tool {
    private static final ToolSpec SPEC = new ToolSpec("web_fetch",
            "Fetches a web page or API over http(s) and returns its status and text (HTML is turned into readable"
                    + " text). Only hosts the operator allowed for this chat can be fetched; the answer says how to"
                    + " allow one that is not. Use save_to for long pages, then read or grep the file.",
            """
            {"type": "object",
             "properties": {
               "url": {"type": "string", "description": "the full URL, http:// or https://"},
               "method": {"type": "string", "enum": ["GET", "POST"], "description": "GET (default) or POST"},
               "body": {"type": "string", "description": "the request body, for POST"},
               "content_type": {"type": "string", "description": "the body's type, default application/json"},
               "save_to": {"type": "string", "description": "a file in the group folder to write the text to, instead of returning it"}
             },
             "required": ["url"]}""");

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public String detail(ToolArgs args) {
        return args.text("method").isEmpty() ? args.text("url") : args.text("method") + " " + args.text("url");
    }

    @Override
    public ToolResult run(ToolArgs args, ToolContext context) throws ToolException {
        String url = args.string("url").strip();
        String method = args.optionalString("method").orElse("GET").strip().toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("POST")) {
            throw new ToolException("method must be GET or POST, got " + Text.shorten(method, 20));
        }
        Map<String, String> call = new HashMap<>();
        call.put("url", url);
        call.put("method", method);
        args.optionalString("body").ifPresent(b -> call.put("body", b));
        args.optionalString("content_type").ifPresent(t -> call.put("contentType", t));
        Path saveTo = null;
        if (args.optionalString("save_to").isPresent()) {
            saveTo = context.workspace().resolve(args.string("save_to"));
            if (Files.isDirectory(saveTo)) {
                throw new ToolException(context.workspace().display(saveTo) + " is a directory; give a file path");
            }
        }
        HostMessage.HostResult result = context.host().call("web_fetch", Map.copyOf(call));
        if (!result.ok()) {
            return ToolResult.failed(result.error() == null ? "web_fetch: the host refused" : result.error());
        }
        String page = result.result() == null ? "" : result.result();
        if (saveTo == null) {
            return ToolResult.ok(page);
        }
        try {
            if (saveTo.getParent() != null) {
                Files.createDirectories(saveTo.getParent());
            }
            byte[] bytes = page.getBytes(StandardCharsets.UTF_8);
            Files.write(saveTo, bytes);
            int firstLineEnd = page.indexOf('\n');
            return ToolResult.ok((firstLineEnd < 0 ? page : page.substring(0, firstLineEnd)) + "\nsaved "
                    + bytes.length + " bytes of text to " + context.workspace().display(saveTo));
        } catch (IOException e) {
            throw new ToolException("fetched, but cannot write " + context.workspace().display(saveTo) + ": "
                    + WriteFileTool.describe(e));
        }
    }
}
