package dev.claw4j.telegram;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Cuts a long Markdown answer into parts Telegram accepts (4096 characters a message), at line breaks where
 * it can, and never leaves a code block open: a part that ends inside a fence gets a closing fence, and the
 * next part reopens it with the same language, so every part renders as well-formed code.
 */
public final class MessageSplitter {
    /** Telegram's limit on a message's text. */
    public static final int TELEGRAM_LIMIT = 4096;

    private static final Pattern FENCE = Pattern.compile("^\\s*```.*$");
    private static final String CLOSE = "\n```";

    private MessageSplitter() {}

    /** Markdown parts whose rendered HTML each fits in {@link #TELEGRAM_LIMIT} characters. */
    public static List<Part> forTelegram(String markdown) {
        List<Part> parts = new ArrayList<>();
        for (String piece : split(markdown, TELEGRAM_LIMIT)) {
            addRendered(piece, parts);
        }
        return parts;
    }

    /** One part of an answer: the Markdown it came from (the plain-text fallback) and its HTML. */
    public record Part(String markdown, String html) {}

    // Escaping can make HTML longer than its Markdown (every '<' is 4 characters): split such a part again.
    private static void addRendered(String markdown, List<Part> parts) {
        String html = TelegramHtml.render(markdown);
        if (html.length() <= TELEGRAM_LIMIT || markdown.length() < 64) {
            parts.add(new Part(markdown, html));
            return;
        }
        int smaller = Math.max(64, markdown.length() * TELEGRAM_LIMIT / html.length() - 16);
        for (String piece : split(markdown, smaller)) {
            addRendered(piece, parts);
        }
    }

    /** Parts of at most {@code limit} characters, code fences balanced in each. */
    public static List<String> split(String text, int limit) {
        if (limit < 32) {
            throw new IllegalArgumentException("limit too small: " + limit);
        }
        List<String> parts = new ArrayList<>();
        if (text.length() <= limit) {
            parts.add(text);
            return parts;
        }
        StringBuilder current = new StringBuilder();
        String openFence = null; // how to reopen the code block we are in, if any
        for (String line : text.split("\n", -1)) {
            boolean isFence = FENCE.matcher(line).matches();
            if (isFence && openFence != null && tooLong(current, line, 0, limit)) {
                flush(parts, current, openFence); // the flush writes this closing fence itself
                openFence = null;
                continue;
            }
            String fenceAfter = isFence ? (openFence == null ? reopener(line) : null) : openFence;
            // a part must keep room for the closing fence while it is inside a code block
            int reserve = fenceAfter != null ? CLOSE.length() : 0;
            while (tooLong(current, line, reserve, limit)) {
                int room = limit - current.length() - (current.isEmpty() ? 0 : 1) - reserve;
                if (room >= 16 && line.length() > limit - reserve - reopenLength(openFence)) {
                    // a line too long for any part: cut it, preferably at a space
                    int cut = cutPoint(line, room);
                    append(current, line.substring(0, cut));
                    line = line.substring(cut);
                }
                flush(parts, current, openFence);
                if (openFence != null) {
                    current.append(openFence);
                }
            }
            append(current, line);
            openFence = fenceAfter;
        }
        if (!current.isEmpty()) {
            parts.add(current.toString());
        }
        return parts;
    }

    private static boolean tooLong(StringBuilder current, String line, int reserve, int limit) {
        return current.length() + (current.isEmpty() ? 0 : 1) + line.length() + reserve > limit;
    }

    /** The fence line that reopens a block in the next part: its language kept, its length bounded. */
    private static String reopener(String fenceLine) {
        String language = fenceLine.strip().substring(3).strip().split("\\s+", 2)[0];
        return "```" + (language.length() > 20 ? "" : language);
    }

    private static int reopenLength(String openFence) {
        return openFence == null ? 0 : openFence.length() + 1;
    }

    private static void append(StringBuilder current, String line) {
        if (!current.isEmpty()) {
            current.append('\n');
        }
        current.append(line);
    }

    private static void flush(List<String> parts, StringBuilder current, String openFence) {
        if (openFence != null) {
            current.append(CLOSE);
        }
        if (!current.isEmpty()) {
            parts.add(current.toString());
        }
        current.setLength(0);
    }

    private static int cutPoint(String line, int room) {
        int space = line.lastIndexOf(' ', room);
        int cut = space > room / 2 ? space + 1 : room;
        // do not cut a surrogate pair in half
        if (cut < line.length() && Character.isLowSurrogate(line.charAt(cut))) {
            cut--;
        }
        return cut;
    }
}
