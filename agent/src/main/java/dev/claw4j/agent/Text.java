package dev.claw4j.agent;

/** Small string helpers for what the model and the audit trail are shown. */
final class Text {
    private Text() {}

    /**
     * The text cut to at most {@code limit} characters. Head and tail are kept, because the start of
     * an output says what ran and the end says how it ended (errors, exit code); the cut is announced.
     */
    static String cap(String text, int limit) {
        if (text == null || text.length() <= limit) {
            return text;
        }
        String estimate = cutNotice(text.length() - limit);
        // a little slack so the notice, recomputed for the real cut, still fits
        int keep = limit - estimate.length() - 4;
        if (keep < 2) {
            return safeHead(text, Math.max(limit, 0));
        }
        String head = safeHead(text, keep / 2);
        String tail = safeTail(text, keep - keep / 2);
        return head + cutNotice(text.length() - head.length() - tail.length()) + tail;
    }

    static String cutNotice(long cutChars) {
        return "\n[… " + cutChars + " characters cut …]\n";
    }

    /** One line of at most {@code max} characters, for event details and error messages. */
    static String shorten(String text, int max) {
        if (text == null) {
            return "";
        }
        String oneLine = text.strip().replaceAll("\\s*\\R\\s*", " ⏎ ");
        return oneLine.length() <= max ? oneLine : safeHead(oneLine, max - 1) + "…";
    }

    /** The first n characters, without splitting a surrogate pair (which would not encode as UTF-8). */
    static String safeHead(String text, int n) {
        if (n >= text.length()) {
            return text;
        }
        int end = n > 0 && Character.isHighSurrogate(text.charAt(n - 1)) ? n - 1 : n;
        return text.substring(0, end);
    }

    /** The last n characters, without splitting a surrogate pair. */
    static String safeTail(String text, int n) {
        if (n >= text.length()) {
            return text;
        }
        int start = text.length() - n;
        if (Character.isLowSurrogate(text.charAt(start))) {
            start++;
        }
        return text.substring(start);
    }
}
