package dev.claw4j.discord;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a reply into Discord messages of at most {@link #LIMIT} characters. Cuts fall between lines where
 * possible; a cut inside a ``` code block closes the block at the end of the part and reopens it (with its
 * language) at the start of the next, so every part renders on its own.
 */
public final class MessageSplitter {
    public static final int LIMIT = 2000;
    private static final String FENCE = "```";
    // room kept in every part for the "\n```" that may have to close an open block
    private static final int CLOSE_ROOM = FENCE.length() + 1;
    // a reopening fence carries the language; longer info strings are cut (they are only a highlighting hint)
    private static final int MAX_FENCE = 24;

    private MessageSplitter() {}

    public static List<String> split(String text) {
        return split(text, LIMIT);
    }

    static List<String> split(String text, int limit) {
        List<String> parts = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return parts;
        }
        StringBuilder part = new StringBuilder();
        String openFence = null; // the line that opened the code block we are in, or null
        for (String line : lines(text)) {
            for (String piece : pieces(line, limit - CLOSE_ROOM - MAX_FENCE - 1)) {
                if (part.length() + piece.length() + (openFence == null ? 0 : CLOSE_ROOM) > limit && !part.isEmpty()) {
                    if (openFence != null) {
                        closeBlock(part);
                    }
                    add(parts, part);
                    part = new StringBuilder();
                    if (openFence != null) {
                        part.append(openFence).append('\n');
                    }
                }
                part.append(piece);
                if (isFence(piece)) {
                    openFence = openFence == null ? reopening(piece) : null;
                }
            }
        }
        add(parts, part);
        return parts;
    }

    private static void closeBlock(StringBuilder part) {
        if (part.charAt(part.length() - 1) != '\n') {
            part.append('\n');
        }
        part.append(FENCE);
    }

    private static void add(List<String> parts, StringBuilder part) {
        if (!part.toString().isBlank()) {
            parts.add(part.toString());
        }
    }

    /** A line that opens or closes a block: starts with ``` and is not a one-line ```code```. */
    private static boolean isFence(String line) {
        String t = line.strip();
        return t.startsWith(FENCE) && !(t.length() > 6 && t.endsWith(FENCE) && t.indexOf(FENCE, 3) == t.length() - 3);
    }

    private static String reopening(String fenceLine) {
        String t = fenceLine.strip();
        return t.length() > MAX_FENCE ? t.substring(0, MAX_FENCE) : t;
    }

    /** The text's lines, each with its own '\n' (the last may have none), so joining them gives the text back. */
    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl + 1;
            lines.add(text.substring(start, end));
            start = end;
        }
        return lines;
    }

    /** A line longer than {@code max} is cut, at a space when there is one in the second half. */
    private static List<String> pieces(String line, int max) {
        if (line.length() <= max) {
            return List.of(line);
        }
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (line.length() - start > max) {
            int cut = line.lastIndexOf(' ', start + max - 1);
            cut = cut > start + max / 2 ? cut + 1 : start + max;
            pieces.add(line.substring(start, cut));
            start = cut;
        }
        pieces.add(line.substring(start));
        return pieces;
    }
}
