package io.discoursetrends.replay;

import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.RecordSplitter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The raw records in a fixtures folder laid out like ../shared/fixtures (one sub-folder per platform, named
 * after it, holding API responses or JSON Lines), split into the records an ingest bridge would put on Kafka.
 * Responses that hold no posts (trend lists, user profiles, id lists) contribute nothing.
 */
public final class FixtureRecords {
    private FixtureRecords() {}

    public static Map<Platform, List<byte[]>> load(Path fixturesDir) {
        RecordSplitter splitter = new RecordSplitter();
        Map<Platform, List<byte[]>> out = new EnumMap<>(Platform.class);
        for (Platform platform : Platform.values()) {
            List<byte[]> records = new ArrayList<>();
            Path dir = fixturesDir.resolve(platform.id());
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.sorted().toList()) {
                        String name = f.getFileName().toString();
                        if (!name.endsWith(".json") && !name.endsWith(".jsonl") || name.contains("manifest")) {
                            continue;
                        }
                        for (String r : splitter.split(platform, Files.readAllBytes(f)).records()) {
                            records.add(r.getBytes(StandardCharsets.UTF_8));
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read fixtures in " + dir + ": " + e.getMessage(), e);
                }
            }
            out.put(platform, records);
        }
        return out;
    }
}
