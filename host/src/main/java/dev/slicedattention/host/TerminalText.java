package dev.slicedattention.host;

import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.text.Normalizer;
import java.util.Map;

/**
 * Text made printable in one charset, character by character: a character the charset can encode
 * stays; one it cannot becomes its ASCII stand-in ({@code ±} → {@code +-}, {@code ≈} → {@code ~},
 * {@code ×} → {@code x}, {@code →} → {@code ->}, ...), or, for one without a stand-in, its letters
 * without accents ({@code é} → {@code e}), or {@code ?}. Why per character: ISO-8859-1 encodes
 * {@code ±} and {@code ×} but not {@code ≈} or {@code →}, and a character the charset has should
 * print as itself. Why stand-ins at all: the JDK writes {@code ?} for every character it cannot
 * encode, so under a non-UTF-8 locale the table's spread {@code ±30%} and its too-noisy marker
 * {@code ≈} would both print as {@code ?}.
 */
final class TerminalText {
    /** ASCII stand-ins for the characters the CLI, the API's messages and the results' texts use. */
    private static final Map<Character, String> STAND_INS = Map.ofEntries(
            Map.entry('±', "+-"), Map.entry('≈', "~"), Map.entry('×', "x"), Map.entry('→', "->"),
            Map.entry('←', "<-"), Map.entry('⇒', "=>"), Map.entry('−', "-"), Map.entry('–', "-"),
            Map.entry('—', "--"), Map.entry('…', "..."), Map.entry('·', "."), Map.entry('•', "*"),
            Map.entry('≤', "<="), Map.entry('≥', ">="), Map.entry('≠', "!="), Map.entry('∞', "inf"),
            Map.entry('θ', "theta"), Map.entry('µ', "u"), Map.entry('μ', "u"), Map.entry('‖', "||"),
            Map.entry('°', " deg"), Map.entry('²', "^2"), Map.entry('³', "^3"), Map.entry('√', "sqrt"),
            Map.entry('‘', "'"), Map.entry('’', "'"), Map.entry('“', "\""), Map.entry('”', "\""),
            Map.entry('®', "(R)"), Map.entry('©', "(C)"), Map.entry('™', "(TM)"), Map.entry('✓', "ok"),
            Map.entry('✗', "x"), Map.entry('\u00a0', " "));

    private final Charset charset;
    private final CharsetEncoder encoder;

    private TerminalText(Charset charset) {
        this.charset = charset;
        this.encoder = charset.newEncoder();
    }

    static TerminalText of(Charset charset) {
        return new TerminalText(charset);
    }

    Charset charset() {
        return charset;
    }

    /** Whether every text prints as itself: a Unicode charset (only an unpaired surrogate would not). */
    boolean encodesEverything() {
        return charset.name().startsWith("UTF-");
    }

    /** {@code text} with every character the charset cannot encode replaced (see the class comment). */
    synchronized String fit(String text) {
        // An encoder is not safe for threads (the progress bar prints from its own): one at a time.
        if (text == null || encoder.canEncode(text)) {
            return text;
        }
        StringBuilder fitted = new StringBuilder(text.length() + 8);
        for (int at = 0; at < text.length(); ) {
            int codePoint = text.codePointAt(at);
            String character = new String(Character.toChars(codePoint));
            at += character.length();
            fitted.append(encoder.canEncode(character) ? character : standIn(character));
        }
        return fitted.toString();
    }

    private String standIn(String character) {
        String standIn = character.length() == 1 ? STAND_INS.get(character.charAt(0)) : null;
        if (standIn != null && encoder.canEncode(standIn)) {
            return standIn;
        }
        // A letter with marks (é, ñ, ₂ as 2): its compatibility decomposition, less what still does not encode.
        StringBuilder plain = new StringBuilder();
        for (char part : Normalizer.normalize(character, Normalizer.Form.NFKD).toCharArray()) {
            if (Character.getType(part) != Character.NON_SPACING_MARK && encoder.canEncode(part)) {
                plain.append(part);
            }
        }
        return plain.isEmpty() ? "?" : plain.toString();
    }
}
