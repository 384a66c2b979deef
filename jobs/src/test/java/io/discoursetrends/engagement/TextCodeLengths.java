package io.discoursetrends.engagement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.stream.Stream;

/**
 * How {@link TextCode}'s lengths were made (kept so it can be checked, not to be re-run into the code: the code is
 * part of the state format). Byte frequencies of the text, title, body and url fields of the records under the
 * first directories ({@code ../shared/fixtures/reddit ../shared/fixtures/hackernews}), each + 1, a Huffman code of
 * them (ties by symbol), its lengths printed; and what the code makes of the bytes under the directories after
 * {@code --}, which nothing was built from ({@code -- ../shared/fixtures/bluesky ../shared/fixtures/mastodon}).
 */
final class TextCodeLengths {
    private static final Set<String> FIELDS = Set.of("text", "content", "body", "title", "selftext", "url", "uri",
            "permalink");

    private TextCodeLengths() {}

    public static void main(String[] args) throws IOException {
        int split = List.of(args).indexOf("--");
        long[] built = frequencies(List.of(args).subList(0, split < 0 ? args.length : split));
        int[] lengths = lengths(built);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 256; i++) {
            b.append(lengths[i]).append(i % 16 == 15 ? ",\n" : ", ");
        }
        System.out.print(b);
        if (split >= 0) {
            long[] heldOut = frequencies(List.of(args).subList(split + 1, args.length));
            long bits = 0;
            long bytes = 0;
            for (int i = 0; i < 256; i++) {
                bits += heldOut[i] * lengths[i];
                bytes += heldOut[i];
            }
            System.out.printf("held out: %d bytes, %.0f coded (%.1f%%)%n", bytes, bits / 8.0, 100.0 * bits / 8 / bytes);
        }
    }

    static int[] lengths(long[] frequencies) {
        PriorityQueue<long[]> queue = new PriorityQueue<>((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0])
                : Long.compare(x[1], y[1]));
        int[] parent = new int[512];
        for (int i = 0; i < 256; i++) {
            queue.add(new long[] {frequencies[i] + 1, i});
        }
        int next = 256;
        while (queue.size() > 1) {
            long[] x = queue.poll();
            long[] y = queue.poll();
            parent[(int) x[1]] = next;
            parent[(int) y[1]] = next;
            queue.add(new long[] {x[0] + y[0], next++});
        }
        int[] lengths = new int[256];
        for (int i = 0; i < 256; i++) {
            for (int n = i; n != next - 1; n = parent[n]) {
                lengths[i]++;
            }
        }
        return lengths;
    }

    private static long[] frequencies(List<String> dirs) throws IOException {
        long[] f = new long[256];
        ObjectMapper json = new ObjectMapper();
        for (String dir : dirs) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(Path.of(dir))) {
                files = walk.filter(p -> p.toString().endsWith(".json") || p.toString().endsWith(".jsonl"))
                        .filter(p -> !p.toString().contains("lexicons") && !p.toString().contains("manifest"))
                        .sorted().toList();
            }
            for (Path p : files) {
                List<String> docs = p.toString().endsWith(".jsonl") ? Files.readAllLines(p)
                        : List.of(Files.readString(p));
                for (String doc : docs) {
                    if (!doc.isBlank()) {
                        count(json.readTree(doc), f);
                    }
                }
            }
        }
        return f;
    }

    private static void count(JsonNode root, long[] f) {
        Deque<JsonNode> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            JsonNode n = todo.poll();
            if (n.isArray()) {
                n.forEach(todo::add);
            }
            for (var it = n.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isTextual() && FIELDS.contains(e.getKey())) {
                    for (byte b : e.getValue().textValue().getBytes(StandardCharsets.UTF_8)) {
                        f[b & 0xFF]++;
                    }
                } else if (e.getValue().isContainerNode()) {
                    todo.add(e.getValue());
                }
            }
        }
    }
}
