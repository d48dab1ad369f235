package dev.slicedattention.host;

import java.io.PrintStream;
import java.io.Writer;

/**
 * A {@link PrintStream} onto another that first passes every text through {@link TerminalText}
 * for the other's charset: what the CLI prints — the table, messages, errors, stack traces, help —
 * degrades to ASCII stand-ins where the terminal's charset lacks a character, instead of the JDK's
 * {@code ?}. {@code println}, {@code printf} and {@code append} of a subclass all go through
 * {@code print(String)}, {@code print(char)} and {@code print(Object)}, which are the ones
 * overridden; bytes written directly pass as they are.
 */
final class TerminalStream extends PrintStream {
    private final TerminalText text;

    private TerminalStream(PrintStream target, TerminalText text) {
        super(target, true, target.charset());
        this.text = text;
    }

    /**
     * {@code stream} itself where its charset (System.out's is the {@code stdout.encoding} the JDK
     * took from the locale) encodes every character; otherwise a stream that fits text to it.
     */
    static PrintStream fitting(PrintStream stream) {
        if (stream instanceof TerminalStream) {
            return stream;
        }
        TerminalText text = TerminalText.of(stream.charset());
        return text.encodesEverything() ? stream : new TerminalStream(stream, text);
    }

    /** A writer whose text is printed on {@code stream} (as {@code print(String)}), for picocli's help and errors. */
    static Writer writerOnto(PrintStream stream) {
        return new Writer() {
            @Override
            public void write(char[] buffer, int offset, int length) {
                stream.print(new String(buffer, offset, length));
            }

            @Override
            public void flush() {
                stream.flush();
            }

            @Override
            public void close() {
                stream.flush();
            }
        };
    }

    @Override
    public void print(String s) {
        super.print(text.fit(String.valueOf(s)));
    }

    @Override
    public void print(Object obj) {
        print(String.valueOf(obj));
    }

    @Override
    public void print(char c) {
        print(String.valueOf(c));
    }

    @Override
    public void print(char[] s) {
        print(new String(s));
    }
}
