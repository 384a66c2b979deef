package io.discoursetrends.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A bridge's cursor as JSON bytes for the cursor topic. Writing a record of arrays cannot fail short of a bug;
 * a saved cursor that cannot be read can (a hand-edited topic, an incompatible release), and then the operator
 * is told how to start afresh rather than shown a parser trace.
 */
public final class CursorJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CursorJson() {}

    public static byte[] write(Object state) {
        try {
            return MAPPER.writeValueAsBytes(state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The saved state; {@code what} names the cursor in the message ("Reddit", "Jetstream"). */
    public static <T> T read(byte[] cursor, Class<T> type, String what) {
        try {
            return MAPPER.readValue(cursor, type);
        } catch (IOException e) {
            throw new IllegalStateException("the saved " + what + " cursor cannot be read (" + e.getMessage()
                    + "); start under a new --bridge-id to begin afresh");
        }
    }
}
