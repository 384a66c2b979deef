package io.discoursetrends.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.RawStreamGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every event the normalizers make, from every fixture record and from generated records, is valid against
 * schemas/json/post.schema.json or engagement.schema.json, loaded from the classpath (the schemas jar) as
 * the job and other readers load them. Formats (uri, date-time) are asserted, not just annotated.
 */
class SchemaTest {
    private static final ObjectMapper JSON = CanonicalJson.newMapper();
    private static JsonSchema post;
    private static JsonSchema engagement;

    @BeforeAll
    static void loadSchemas() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        post = factory.getSchema(SchemaLocation.of("classpath:schemas/json/post.schema.json"), config);
        engagement = factory.getSchema(SchemaLocation.of("classpath:schemas/json/engagement.schema.json"), config);
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void everyEventFromEveryFixtureRecordIsValid(Platform platform) throws Exception {
        List<CanonicalEvent> events = new ArrayList<>();
        Fixtures.normalizeAll(platform).values().forEach(f -> events.addAll(f.events()));
        assertThat(events).isNotEmpty();
        assertValid(events);
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void everyEventFromGeneratedRecordsIsValid(Platform platform) throws Exception {
        Normalizer n = Normalizers.forPlatform(platform);
        List<CanonicalEvent> events = new ArrayList<>();
        for (RawStreamGenerator.RawRecord r : RawStreamGenerator.generate(platform, 500,
                Instant.parse("2026-03-01T12:00:00Z"), Duration.ofHours(6), 7)) {
            events.addAll(n.normalize(r.value()).events());
        }
        assertThat(events).hasSizeGreaterThan(300);
        assertValid(events);
    }

    @Test
    void schemasRejectWhatTheContractForbids() throws Exception {
        String valid = "{\"kind\":\"post\",\"platform\":\"hackernews\",\"id\":\"hn:1\","
                + "\"url\":\"https://news.ycombinator.com/item?id=1\",\"author_id\":\"pg\",\"text\":\"Y\","
                + "\"created_at\":\"2007-02-19T18:36:42Z\",\"hashtags\":[],\"metrics\":{\"score\":57}}";
        assertThat(post.validate(JSON.readTree(valid))).isEmpty();
        assertThat(post.validate(mutate(valid, n -> n.remove("author_id")))).isNotEmpty();
        assertThat(post.validate(mutate(valid, n -> n.put("extra", 1)))).isNotEmpty();
        assertThat(post.validate(mutate(valid, n -> n.put("platform", "twitter")))).isNotEmpty();
        assertThat(post.validate(mutate(valid, n -> n.put("created_at", "yesterday")))).isNotEmpty();
        assertThat(post.validate(mutate(valid, n -> n.put("id", "8863")))).isNotEmpty();
        assertThat(post.validate(mutate(valid, n -> n.putArray("hashtags").add("#ai")))).isNotEmpty();
        assertThat(post.validate(mutate(valid, n -> n.putObject("metrics").put("likes", -1)))).isNotEmpty();
        String like = "{\"kind\":\"engagement\",\"platform\":\"bluesky\",\"type\":\"like\","
                + "\"id\":\"at://did:plc:a/app.bsky.feed.like/3k\",\"subject_id\":\"at://did:plc:b/app.bsky.feed.post/3j\","
                + "\"actor_id\":\"did:plc:a\",\"created_at\":\"2026-05-25T14:23:29.132431Z\",\"delta\":1}";
        assertThat(engagement.validate(JSON.readTree(like))).isEmpty();
        assertThat(engagement.validate(mutate(like, n -> n.put("type", "boost")))).isNotEmpty();
        assertThat(engagement.validate(mutate(like, n -> n.put("delta", 0)))).isNotEmpty();
        assertThat(engagement.validate(mutate(like, n -> n.put("subject_id", "at://did:plc:b/app.bsky.graph.list/1"))))
                .isNotEmpty();
    }

    private static void assertValid(List<CanonicalEvent> events) throws Exception {
        for (CanonicalEvent e : events) {
            JsonNode doc = JSON.readTree(CanonicalJson.writeBytes(e));
            Set<ValidationMessage> errors = (e.isPost() ? post : engagement).validate(doc);
            assertThat(errors).as("%s", doc).isEmpty();
        }
    }

    private interface Edit {
        void apply(ObjectNode n);
    }

    private static JsonNode mutate(String json, Edit edit) throws Exception {
        ObjectNode n = (ObjectNode) JSON.readTree(json);
        edit.apply(n);
        return n;
    }
}
