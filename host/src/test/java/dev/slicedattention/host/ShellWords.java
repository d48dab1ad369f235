package dev.slicedattention.host;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one documented shell command line into words as bash would for a simple command: single and
 * double quotes, backslash escapes, a {@code #} that starts a word begins a comment, and {@code |},
 * {@code ;} or {@code &} end the command. {@code <} and {@code >} stay in words: the docs use them
 * for placeholders such as {@code results/<run-id>}, never for redirection.
 */
final class ShellWords {
    private ShellWords() {
    }

    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c) || c == '|' || c == ';' || c == '&' || (c == '#' && !inWord)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                if (c != ' ' && c != '\t') {
                    break; // a comment or the end of the first command
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
