package dev.tessera.app;

import dev.tessera.geometry.io.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small self-contained HTML page (no scripts, no network): a title, then sections of text, key–value tables,
 * pictures and file links, all relative to the page's directory. Written atomically.
 */
final class HtmlReport {
    private final String title;
    private final StringBuilder body = new StringBuilder();

    HtmlReport(String title) {
        this.title = title;
    }

    /** Starts a section. */
    HtmlReport section(String heading) {
        body.append("<h2>").append(escape(heading)).append("</h2>\n");
        return this;
    }

    /** A paragraph of plain text. */
    HtmlReport text(String paragraph) {
        body.append("<p>").append(escape(paragraph)).append("</p>\n");
        return this;
    }

    /** A two-column table. */
    HtmlReport table(Map<String, String> rows) {
        body.append("<table>\n");
        for (var e : rows.entrySet()) {
            body.append("<tr><th>")
                    .append(escape(e.getKey()))
                    .append("</th><td>")
                    .append(escape(e.getValue()))
                    .append("</td></tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** A table with a header row; the first cell of each row is a row heading. */
    HtmlReport grid(List<String> header, List<List<String>> rows) {
        body.append("<table class=\"grid\">\n<tr>");
        for (String h : header) {
            body.append("<th>").append(escape(h)).append("</th>");
        }
        body.append("</tr>\n");
        for (List<String> row : rows) {
            body.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                String tag = i == 0 ? "th" : "td";
                body.append('<')
                        .append(tag)
                        .append('>')
                        .append(escape(row.get(i)))
                        .append("</")
                        .append(tag)
                        .append('>');
            }
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** A picture with a caption; {@code src} is relative to the page. */
    HtmlReport image(String src, String caption) {
        body.append("<figure><a href=\"")
                .append(escape(src))
                .append("\"><img src=\"")
                .append(escape(src))
                .append("\" alt=\"")
                .append(escape(caption))
                .append("\"></a><figcaption>")
                .append(escape(caption))
                .append("</figcaption></figure>\n");
        return this;
    }

    /** A line of links, each {@code label → href} relative to the page. */
    HtmlReport links(String label, Map<String, String> targets) {
        List<String> parts = new ArrayList<>();
        for (var e : targets.entrySet()) {
            parts.add("<a href=\"" + escape(e.getValue()) + "\">" + escape(e.getKey()) + "</a>");
        }
        body.append("<p><b>")
                .append(escape(label))
                .append("</b> ")
                .append(String.join(" · ", parts))
                .append("</p>\n");
        return this;
    }

    /** The page as HTML. */
    String html() {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title)
                + "</title>\n<style>\n"
                + "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\n"
                + "h1{font-weight:600}h2{margin-top:2em;border-bottom:1px solid #ddd}\n"
                + "table{border-collapse:collapse}th,td{padding:.25em 1em;text-align:left;border-bottom:1px solid #eee}\n"
                + "th{font-weight:500;color:#555}table.grid td{text-align:right}figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}\n"
                + "img{max-width:100%;border:1px solid #ddd}figcaption{color:#555;font-size:.9em}\n"
                + "</style>\n</head>\n<body>\n<h1>" + escape(title) + "</h1>\n" + body + "</body>\n</html>\n";
    }

    /** Writes the page to {@code file} atomically. */
    void write(Path file) throws IOException {
        AtomicFile.write(file, html().getBytes(StandardCharsets.UTF_8));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
