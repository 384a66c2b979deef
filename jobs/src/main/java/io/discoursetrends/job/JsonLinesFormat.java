package io.discoursetrends.job;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.DeadLetter;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.SourceEnvelope;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.normalize.Normalizers;
import io.discoursetrends.replay.ByteLines;
import io.discoursetrends.replay.JsonLinesFiles;
import io.discoursetrends.replay.KafkaReplayer;
import io.discoursetrends.replay.RecordClock;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayDeque;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * A JSON Lines recording of one platform's raw records (plain or gzip), read for the backfill the way the Kafka
 * source reads a topic: each line normalized where it is read, a malformed line a {@link DeadLetter} (source
 * "file:&lt;platform&gt;", partition 0, offset its line number), an ignored one dropped. A line's observation
 * time is its file's {@link RecordClock}, the time {@code replay} gives it as its Kafka timestamp, so the
 * backfill of a recording sees what the job sees of its replay. Files are not split: a file is read in order.
 */
public final class JsonLinesFormat extends SimpleStreamFormat<SourceEnvelope> {
    private static final long serialVersionUID = 1L;

    private final Platform platform;

    public JsonLinesFormat(Platform platform) {
        this.platform = platform;
    }

    @Override
    public StreamFormat.Reader<SourceEnvelope> createReader(Configuration config, FSDataInputStream stream)
            throws IOException {
        return new LineReader(platform, JsonLinesFiles.open(stream));
    }

    @Override
    public TypeInformation<SourceEnvelope> getProducedType() {
        return TypeInformation.of(SourceEnvelope.class);
    }

    private static final class LineReader implements StreamFormat.Reader<SourceEnvelope> {
        private final Platform platform;
        private final InputStream in;
        private final ByteLines lines;
        private final Normalizer normalizer;
        private final RecordClock clock = new RecordClock();
        private final ArrayDeque<SourceEnvelope> ready = new ArrayDeque<>();

        LineReader(Platform platform, InputStream in) {
            this.platform = platform;
            this.in = in;
            this.lines = new ByteLines(in, JsonLinesFiles.MAX_LINE_BYTES);
            this.normalizer = Normalizers.forPlatform(platform);
        }

        @Override
        public SourceEnvelope read() throws IOException {
            while (ready.isEmpty()) {
                ByteLines.Line line = lines.next();
                if (line == null) {
                    return null;
                }
                if (!line.tooLong() && line.isBlank()) {
                    continue;
                }
                NormalizeResult result = line.tooLong()
                        ? NormalizeResult.malformed("line longer than " + JsonLinesFiles.MAX_LINE_BYTES + " bytes")
                        : normalizer.normalize(line.bytes());
                Instant observed = clock.observe(KafkaReplayer.eventTime(result));
                if (result.isMalformed()) {
                    long at = observed.equals(Instant.MIN) ? 0 : observed.toEpochMilli();
                    ready.add(SourceEnvelope.of(new DeadLetter(platform, "file:" + platform.id(), 0, line.number(),
                            at, result.malformedReason(), line.bytes())));
                } else if (!result.isIgnored()) {
                    for (CanonicalEvent e : result.events()) {
                        ready.add(SourceEnvelope.of(e.observedAt(observed.toEpochMilli())));
                    }
                }
            }
            return ready.poll();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
