package dev.slicedattention.report;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Extracts the local files a page refers to through img src and a href. */
final class HtmlLinks {
    private static final Pattern REFERENCE = Pattern.compile("<(img|a)\\b[^>]*?\\b(src|href)=\"([^\"]*)\"",
            Pattern.CASE_INSENSITIVE);

    private HtmlLinks() {}

    record Reference(String tag, String attribute, String value) {}

    static List<Reference> references(String html) {
        List<Reference> list = new ArrayList<>();
        Matcher m = REFERENCE.matcher(html);
        while (m.find()) {
            list.add(new Reference(m.group(1).toLowerCase(), m.group(2).toLowerCase(), unescape(m.group(3))));
        }
        return list;
    }

    /** The file a relative reference points at, or null for in-page anchors. */
    static Path target(Path folder, String value) {
        if (value.startsWith("#")) {
            return null;
        }
        String path = value.contains("#") ? value.substring(0, value.indexOf('#')) : value;
        return folder.resolve(URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8)).normalize();
    }

    static String unescape(String attribute) {
        return attribute.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&amp;", "&");
    }
}
