package dev.claw4j.core.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/** A fetched body as text a model can read: HTML without its scripts and markup, text as it is, binaries named. */
public final class ReadableText {
    private static final Set<String> BLOCKS = Set.of("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
            "pre", "blockquote", "section", "article", "header", "footer", "table", "ul", "ol", "dl", "dt", "dd",
            "hr", "main", "aside", "figure", "figcaption", "form", "title");

    private ReadableText() {}

    public static String of(byte[] body, String contentType, String url) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        Charset charset = charset(type);
        if (type.contains("html") || (type.isEmpty() && looksLikeHtml(body))) {
            return html(body, charset, url);
        }
        if (type.isEmpty() || type.startsWith("text/") || type.contains("json") || type.contains("xml")
                || type.contains("javascript") || type.contains("yaml") || type.contains("csv")) {
            return new String(body, charset == null ? StandardCharsets.UTF_8 : charset);
        }
        return "(" + body.length + " bytes of " + contentType + "; not text, so not shown)";
    }

    private static String html(byte[] body, Charset charset, String url) {
        Document doc;
        try {
            // without a charset in the header, jsoup reads the page's own <meta charset>
            doc = Jsoup.parse(new ByteArrayInputStream(body), charset == null ? null : charset.name(), url);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        doc.select("script, style, noscript, template, svg, iframe, head > :not(title)").remove();
        StringBuilder out = new StringBuilder();
        String title = doc.title();
        if (!title.isBlank()) {
            out.append("# ").append(title.strip()).append("\n\n");
        }
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode t) {
                    String text = t.text();
                    if (!text.isBlank()) {
                        if (!out.isEmpty() && !Character.isWhitespace(out.charAt(out.length() - 1))) {
                            out.append(' ');
                        }
                        out.append(text.strip());
                    }
                } else if (node instanceof Element e && BLOCKS.contains(e.normalName())) {
                    newline(out);
                    if (e.normalName().equals("li")) {
                        out.append("- ");
                    }
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element e) {
                    if (e.normalName().equals("a") && e.hasAttr("href")) {
                        String href = e.absUrl("href");
                        if (!href.isEmpty() && !e.text().isBlank() && !href.equals(e.text().strip())) {
                            out.append(" (").append(href).append(')');
                        }
                    } else if (BLOCKS.contains(e.normalName())) {
                        newline(out);
                    }
                }
            }
        }, doc.body());
        return out.toString().replaceAll("\n{3,}", "\n\n").strip();
    }

    private static void newline(StringBuilder out) {
        if (!out.isEmpty() && out.charAt(out.length() - 1) != '\n') {
            out.append('\n');
        }
    }

    private static Charset charset(String type) {
        int at = type.indexOf("charset=");
        if (at < 0) {
            return null;
        }
        String name = type.substring(at + 8).replace("\"", "").replaceAll(";.*$", "").strip();
        try {
            return Charset.forName(name);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean looksLikeHtml(byte[] body) {
        String start = new String(body, 0, Math.min(body.length, 512), StandardCharsets.ISO_8859_1)
                .stripLeading().toLowerCase(Locale.ROOT);
        return start.startsWith("<!doctype html") || start.startsWith("<html");
    }
}
