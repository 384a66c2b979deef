package io.discoursetrends.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opening a FILE argument ('-' is standard input) and saying in plain words why it failed. */
final class Inputs {
    private Inputs() {}

    static InputStream open(Path file) throws IOException {
        if (file.toString().equals("-")) {
            // Closing our wrapper must not close System.in for the rest of the process (tests run in-process).
            return new FilterInputStream(System.in) {
                @Override
                public void close() {}
            };
        }
        if (Files.isDirectory(file)) {
            throw new IOException("it is a directory");
        }
        return Files.newInputStream(file);
    }

    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
