package dev.slicedattention.host;

import java.util.Optional;

/**
 * What the launcher script found out about TornadoVM before it started this JVM (scripts/lib/common.sh,
 * {@code sa_find_tornado}): whether it runs with TornadoVM, with which SDK and how it was found, or why
 * not and what to do. The script passes it as two system properties; a JVM started another way (the
 * tests, the Java API) has neither, and the CLI then says nothing about discovery.
 */
record TornadoSetup(String status, String note) {
    static final String STATUS = "sliced.attention.tornado.status";
    static final String NOTE = "sliced.attention.tornado.note";

    /** The launcher's finding, when this JVM was started by scripts/sliced-attention. */
    static Optional<TornadoSetup> fromLauncher() {
        String status = System.getProperty(STATUS);
        String note = System.getProperty(NOTE);
        if (status == null || status.isBlank() || note == null || note.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new TornadoSetup(status, note));
    }

    /** The one line to print: the note, led by "TornadoVM" as the script writes it. */
    String line() {
        return note.startsWith("TornadoVM") ? note : "TornadoVM: " + note;
    }

    boolean on() {
        return status.equals("on");
    }
}
