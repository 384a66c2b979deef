package io.discoursetrends.cli;

import io.discoursetrends.model.Platform;
import java.util.Arrays;
import java.util.Iterator;
import picocli.CommandLine;

/**
 * Parses {@code --platform} with {@link Platform#of}, whose message lists the accepted names; picocli then
 * reports it as a usage error (exit 2).
 */
final class PlatformConverter implements CommandLine.ITypeConverter<Platform> {
    @Override
    public Platform convert(String value) {
        try {
            return Platform.of(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    /** The accepted names, for the help text. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(Platform.values()).map(Platform::id).iterator();
        }
    }
}
