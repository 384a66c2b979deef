package io.discoursetrends.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.RawStreamGenerator;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Real records (every fixture record, when shared/fixtures is there, plus generated ones), broken in the
 * ways records break (cut short, a field of the wrong type, a field removed or null, huge strings, invalid
 * UTF-8, nesting thousands deep, flipped bytes), go through every normalizer. Each must give events,
 * ignored, or malformed with a reason, never throw and never report a bug of its own, and what it does
 * emit must still be valid against the schemas.
 */
class MutatedRecordPropertyTest {

    enum Mutation { TRUNCATE, WRONG_TYPE, REMOVE_FIELD, NULL_FIELD, HUGE_STRING, INVALID_UTF8, DEEP_NESTING, FLIP_BYTES }

    record Sample(Platform platform, byte[] raw, String origin) {
        @Override
        public String toString() {
            return platform.id() + " " + origin;
        }
    }

    private static final ObjectMapper JSON = CanonicalJson.newMapper();
    private static final List<Sample> SAMPLES = new ArrayList<>();
    private static final Map<Platform, Normalizer> NORMALIZERS = new EnumMap<>(Platform.class);
    private static JsonSchema postSchema;
    private static JsonSchema engagementSchema;

    @BeforeContainer
    static void collectSamples() {
        for (Platform p : Platform.values()) {
            NORMALIZERS.put(p, Normalizers.forPlatform(p));
            Instant start = Instant.parse("2026-04-01T00:00:00Z");
            int i = 0;
            for (RawStreamGenerator.RawRecord r : RawStreamGenerator.generate(p, 60, start, Duration.ofHours(1), 3)) {
                SAMPLES.add(new Sample(p, r.value(), "generated #" + i++));
            }
            Path dir = Fixtures.sharedDir().resolve("fixtures").resolve(p.id());
            if (Files.isDirectory(dir)) {
                for (Path f : Fixtures.recordFiles(p)) {
                    List<String> records = Fixtures.records(p, f);
                    for (int k = 0; k < records.size(); k++) {
                        SAMPLES.add(new Sample(p, records.get(k).getBytes(StandardCharsets.UTF_8),
                                f.getFileName() + " #" + k));
                    }
                }
            }
        }
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        postSchema = factory.getSchema(SchemaLocation.of("classpath:schemas/json/post.schema.json"), config);
        engagementSchema = factory.getSchema(SchemaLocation.of("classpath:schemas/json/engagement.schema.json"), config);
    }

    @Provide
    Arbitrary<Sample> samples() {
        return Arbitraries.of(SAMPLES);
    }

    @Property(tries = 500)
    void mutatedRecordsGiveEventsIgnoredOrAReasonNeverAnException(
            @ForAll("samples") Sample sample, @ForAll Mutation mutation, @ForAll long seed) throws Exception {
        byte[] mutated = mutate(sample.raw(), mutation, new Random(seed));
        NormalizeResult r = NORMALIZERS.get(sample.platform()).normalize(mutated);
        assertThat(r).isNotNull();
        int outcomes = (r.isMalformed() ? 1 : 0) + (r.isIgnored() ? 1 : 0) + (r.events().isEmpty() ? 0 : 1);
        assertThat(outcomes).as("exactly one of events, ignored, malformed: %s", r).isEqualTo(1);
        if (r.isMalformed()) {
            assertThat(r.malformedReason()).isNotBlank().doesNotStartWith(JsonNormalizer.BUG_PREFIX)
                    .doesNotContain("\n");
        }
        if (r.isIgnored()) {
            assertThat(r.ignoredBecause()).isNotBlank();
        }
        for (CanonicalEvent e : r.events()) {
            JsonNode doc = JSON.readTree(CanonicalJson.writeBytes(e));
            assertThat((e.isPost() ? postSchema : engagementSchema).validate(doc)).as("%s", doc).isEmpty();
        }
        if (mutation == Mutation.HUGE_STRING || mutation == Mutation.DEEP_NESTING) {
            // The record is otherwise intact, so it is refused for the limit or (when the hostile value sits in
            // a field we do not read, or a record type we ignore) normalized without harm.
            if (r.isMalformed()) {
                assertThat(r.malformedReason()).containsAnyOf("parser limit", "expected", "is not");
            }
        }
    }

    @Property(tries = 300)
    void strictUtf8CheckAgreesWithTheJdkDecoder(@ForAll byte[] bytes) {
        boolean jdkValid;
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
            jdkValid = true;
        } catch (CharacterCodingException e) {
            jdkValid = false;
        }
        assertThat(Utf8.firstInvalid(bytes) < 0).isEqualTo(jdkValid);
    }

    @Property(tries = 300)
    void strictUtf8CheckFindsTheFirstBadByteAfterLongAsciiRuns(@ForAll @Size(max = 64) byte[] tail,
            @ForAll @IntRange(min = 0, max = 40) int asciiBytes) {
        byte[] bytes = new byte[asciiBytes + tail.length];
        for (int i = 0; i < asciiBytes; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        System.arraycopy(tail, 0, bytes, asciiBytes, tail.length);
        // The offset the JDK's decoder stops at, as a reference for the fast path's exact answer.
        java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.charset.CoderResult result = decoder.decode(in, java.nio.CharBuffer.allocate(bytes.length), true);
        int expected = result.isError() ? in.position() : -1;
        assertThat(Utf8.firstInvalid(bytes)).isEqualTo(expected);
    }

    // ------------------------------------------------------------------------------------------------

    static byte[] mutate(byte[] raw, Mutation m, Random rnd) throws Exception {
        switch (m) {
            case TRUNCATE:
                return Arrays.copyOf(raw, rnd.nextInt(raw.length));
            case INVALID_UTF8: {
                byte[] b = raw.clone();
                int at = rnd.nextInt(b.length);
                byte[][] bad = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                    {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80}};
                byte[] seq = bad[rnd.nextInt(bad.length)];
                for (int k = 0; k < seq.length && at + k < b.length; k++) {
                    b[at + k] = seq[k];
                }
                return b;
            }
            case FLIP_BYTES: {
                byte[] b = raw.clone();
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            }
            default:
                break;
        }
        JsonNode root = JSON.readTree(raw);
        List<Tuple.Tuple2<JsonNode, Object>> slots = new ArrayList<>();
        collectSlots(root, slots);
        if (slots.isEmpty()) {
            return raw;
        }
        Tuple.Tuple2<JsonNode, Object> slot = slots.get(rnd.nextInt(slots.size()));
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (m) {
            case WRONG_TYPE -> {
                JsonNode[] values = {f.numberNode(42), f.textNode("oops"), f.booleanNode(true), f.arrayNode(),
                    f.objectNode(), f.numberNode(-1.5), f.textNode(""), f.numberNode(new BigInteger("9".repeat(40)))};
                set(slot, values[rnd.nextInt(values.length)]);
            }
            case REMOVE_FIELD -> remove(slot);
            case NULL_FIELD -> set(slot, f.nullNode());
            case HUGE_STRING -> set(slot, TextNode.valueOf("x".repeat(CanonicalJson.MAX_STRING_CHARS + 1 + rnd.nextInt(1000))));
            case DEEP_NESTING -> {
                set(slot, TextNode.valueOf("__NEST__"));
                int depth = 150 + rnd.nextInt(5_000);
                String nested = "[".repeat(depth) + "1" + "]".repeat(depth);
                return JSON.writeValueAsString(root).replace("\"__NEST__\"", nested).getBytes(StandardCharsets.UTF_8);
            }
            default -> throw new IllegalStateException(m.name());
        }
        return JSON.writeValueAsBytes(root);
    }

    /** Every (container, field name or index) in the tree, so a mutation can hit any field at any depth. */
    private static void collectSlots(JsonNode n, List<Tuple.Tuple2<JsonNode, Object>> out) {
        if (n.isObject()) {
            n.fieldNames().forEachRemaining(name -> {
                out.add(Tuple.of(n, name));
                collectSlots(n.get(name), out);
            });
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                out.add(Tuple.of(n, i));
                collectSlots(n.get(i), out);
            }
        }
    }

    private static void set(Tuple.Tuple2<JsonNode, Object> slot, JsonNode value) {
        apply(slot, (o, k) -> ((ObjectNode) o).set((String) k, value), (a, i) -> ((ArrayNode) a).set(i, value));
    }

    private static void remove(Tuple.Tuple2<JsonNode, Object> slot) {
        apply(slot, (o, k) -> ((ObjectNode) o).remove((String) k), (a, i) -> ((ArrayNode) a).remove(i));
    }

    private static void apply(Tuple.Tuple2<JsonNode, Object> slot, BiConsumer<JsonNode, Object> onObject,
            BiConsumer<JsonNode, Integer> onArray) {
        if (slot.get2() instanceof String) {
            onObject.accept(slot.get1(), slot.get2());
        } else {
            onArray.accept(slot.get1(), (Integer) slot.get2());
        }
    }
}
