package io.discoursetrends.normalize;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Platform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The real platform records in shared/fixtures (read-only, never copied into the repository). The folder
 * comes from the system property {@code discourse.shared.dir} (set by the pom), else from a "shared" folder
 * beside the project root; tests that need it are skipped, with a message, where it is absent.
 */
final class Fixtures {
    private Fixtures() {}

    static Path sharedDir() {
        String prop = System.getProperty("discourse.shared.dir");
        if (prop != null && !prop.isBlank()) {
            return Paths.get(prop).toAbsolutePath().normalize();
        }
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared");
            if (Files.isDirectory(candidate.resolve("fixtures"))) {
                return candidate;
            }
        }
        return Paths.get("..", "..", "shared").toAbsolutePath().normalize();
    }

    /** The platform's fixture folder; skips the calling test when it is absent. */
    static Path dir(Platform platform) {
        Path d = sharedDir().resolve("fixtures").resolve(platform.id());
        assumeTrue(Files.isDirectory(d), "platform fixtures not found at " + d
                + " (set -Ddiscourse.shared.dir=<folder holding fixtures/>); skipping");
        return d;
    }

    /**
     * The files holding platform records: Jetstream captures (*.jsonl) for Bluesky; API responses (*.json)
     * for the others. Bluesky's lexicons and capture manifest describe records but are none.
     */
    static List<Path> recordFiles(Platform platform) {
        Path d = dir(platform);
        String ext = platform == Platform.BLUESKY ? ".jsonl" : ".json";
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(ext)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The raw records of a file, as the ingest bridge would put them on Kafka. */
    static List<String> records(Platform platform, Path file) {
        return new RecordSplitter().split(platform, bytes(file)).records();
    }

    /** What normalizing every record of a file gave. */
    record FileResult(String file, List<String> records, List<NormalizeResult> results) {
        List<CanonicalEvent> events() {
            List<CanonicalEvent> all = new ArrayList<>();
            results.forEach(r -> all.addAll(r.events()));
            return all;
        }

        long posts() {
            return events().stream().filter(CanonicalEvent::isPost).count();
        }

        long engagement() {
            return events().stream().filter(e -> !e.isPost()).count();
        }

        long ignored() {
            return results.stream().filter(NormalizeResult::isIgnored).count();
        }

        /** "file: records/posts/engagement/ignored", the form the expectations are written in. */
        String counts() {
            return records.size() + "/" + posts() + "/" + engagement() + "/" + ignored();
        }
    }

    static FileResult normalize(Platform platform, Path file) {
        Normalizer n = Normalizers.forPlatform(platform);
        List<String> records = records(platform, file);
        List<NormalizeResult> results = new ArrayList<>();
        for (String r : records) {
            results.add(n.normalize(r.getBytes(StandardCharsets.UTF_8)));
        }
        return new FileResult(file.getFileName().toString(), records, results);
    }

    /** Every record file of the platform, normalized, by file name. */
    static Map<String, FileResult> normalizeAll(Platform platform) {
        Map<String, FileResult> out = new TreeMap<>();
        for (Path f : recordFiles(platform)) {
            out.put(f.getFileName().toString(), normalize(platform, f));
        }
        return out;
    }
}
