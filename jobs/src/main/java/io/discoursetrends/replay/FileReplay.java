package io.discoursetrends.replay;

import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.normalize.Normalizers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Replays JSON Lines recordings (plain or gzip; one raw platform record per line, in the order a bridge received
 * them) onto the platform topics, as a bridge would have written them: keyed by the post each record concerns
 * ({@link KafkaReplayer#key}), each file in its own order, the files merged by record time
 * ({@link RecordClock}), and the record time as the Kafka timestamp (a record with no event time before any
 * that has one: the time it is sent).
 *
 * <p>Pace: as fast as Kafka takes it, or the recorded pace times {@code speed} (60: an hour in a minute), and
 * at most {@code ratePerSecond} records a second; both may be set, the slower wins. Resumable: every
 * {@code ackEvery} records and at least once a second the producer is flushed and the acknowledged line of
 * each file saved ({@link ReplayProgress}); a restarted replay skips those lines (re-reading them only to
 * restore each file's clock, so timestamps are as in an uninterrupted run). Blank lines are skipped; a line
 * longer than {@link JsonLinesFiles#MAX_LINE_BYTES} is skipped and counted.
 */
public final class FileReplay {

    /** A recording and the platform whose records it holds. */
    public record Input(Platform platform, Path file) {}

    /**
     * @param speed         0: as fast as possible; else the recorded pace times this
     * @param ratePerSecond 0: no limit
     * @param limit         stop after this many records in this run (0: none)
     * @param ackEvery      records between flushes (and progress saves)
     */
    public record Settings(List<Input> inputs, double speed, double ratePerSecond, long limit, int ackEvery) {
        public Settings {
            inputs = List.copyOf(inputs);
            if (inputs.isEmpty()) {
                throw new IllegalArgumentException("name at least one file to replay");
            }
            if (speed < 0 || ratePerSecond < 0 || limit < 0 || ackEvery < 1) {
                throw new IllegalArgumentException("--speed and --rate must be positive, --limit >= 0");
            }
        }
    }

    /** What a run did: records sent now, lines skipped as acknowledged before, lines in all, over-long lines. */
    public record Result(long sent, long resumedFrom, long totalLines, long tooLong, boolean complete) {}

    /** Told the totals once, then how many lines are done (resumed ones included) as the replay goes. */
    public interface Listener {
        void started(long totalLines, long doneLines);

        void progressed(long doneLines);

        void finished(long doneLines);
    }

    /** Waits until a {@link System#nanoTime()} value; tests pass one that only moves their clock. */
    public interface Sleeper {
        void sleepUntil(long nanos) throws InterruptedException;
    }

    public static final Sleeper REAL_TIME = nanos -> {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    };

    private static final long FLUSH_EVERY_NANOS = 1_000_000_000L;

    private final Producer<byte[], byte[]> producer;
    private final Map<Platform, String> topics;
    private final LongSupplier nanos;
    private final Sleeper sleeper;

    public FileReplay(Producer<byte[], byte[]> producer, Map<Platform, String> topics, LongSupplier nanos,
            Sleeper sleeper) {
        this.producer = producer;
        this.topics = Map.copyOf(topics);
        this.nanos = nanos;
        this.sleeper = sleeper;
    }

    public Result run(Settings settings, ReplayProgress progress, Listener listener)
            throws IOException, InterruptedException {
        long total = 0;
        for (Input in : settings.inputs()) {
            total += JsonLinesFiles.countLines(in.file());
        }
        List<Cursor> cursors = new ArrayList<>();
        PriorityQueue<Cursor> queue = new PriorityQueue<>(Comparator.comparing((Cursor c) -> c.time)
                .thenComparingInt(c -> c.index));
        long resumed = 0;
        try {
            for (Input in : settings.inputs()) {
                Cursor c = new Cursor(cursors.size(), in, progress.acknowledged(in.file()));
                cursors.add(c);
                resumed += c.skipAcknowledged();
                if (c.advance()) {
                    queue.add(c);
                }
            }
            listener.started(total, resumed);
            AtomicReference<Exception> failure = new AtomicReference<>();
            long sent = 0;
            long startNanos = nanos.getAsLong();
            long lastFlush = startNanos;
            Instant firstTime = null;
            while (!queue.isEmpty() && (settings.limit() == 0 || sent < settings.limit())) {
                Cursor c = queue.poll();
                long due = startNanos;
                if (settings.speed() > 0 && !c.time.equals(Instant.MIN)) {
                    if (firstTime == null) {
                        firstTime = c.time;
                    }
                    due = startNanos + (long) (Duration.between(firstTime, c.time).toNanos() / settings.speed());
                }
                if (settings.ratePerSecond() > 0) {
                    due = Math.max(due, startNanos + (long) (sent * 1e9 / settings.ratePerSecond()));
                }
                if (due - nanos.getAsLong() > FLUSH_EVERY_NANOS) {
                    lastFlush = acknowledge(cursors, progress, failure); // a long wait: save what is sent first
                }
                sleeper.sleepUntil(due);
                long timestamp = c.time.equals(Instant.MIN) ? System.currentTimeMillis() : c.time.toEpochMilli();
                Cursor sending = c;
                long line = c.line;
                producer.send(new ProducerRecord<>(topics.get(c.input.platform()), null, timestamp, c.key, c.value),
                        (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, new IllegalStateException("Kafka did not take line "
                                        + line + " of " + sending.input.file() + ": " + e.getMessage(), e));
                            }
                        });
                c.sentThrough = c.line;
                sent++;
                if (c.advance()) {
                    queue.add(c);
                }
                long now = nanos.getAsLong();
                if (sent % settings.ackEvery() == 0 || now - lastFlush >= FLUSH_EVERY_NANOS) {
                    lastFlush = acknowledge(cursors, progress, failure);
                }
                listener.progressed(doneLines(cursors));
            }
            acknowledge(cursors, progress, failure);
            long done = doneLines(cursors);
            listener.finished(done);
            long tooLong = cursors.stream().mapToLong(x -> x.tooLong).sum();
            return new Result(sent, resumed, total, tooLong, queue.isEmpty());
        } finally {
            for (Cursor c : cursors) {
                c.close();
            }
        }
    }

    /** Flushes, fails if Kafka refused anything, then saves how far each file is acknowledged. */
    private long acknowledge(List<Cursor> cursors, ReplayProgress progress, AtomicReference<Exception> failure)
            throws IOException {
        producer.flush();
        Exception e = failure.get();
        if (e != null) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        for (Cursor c : cursors) {
            progress.set(c.input.file(), c.acknowledgedLines());
        }
        progress.save();
        return nanos.getAsLong();
    }

    private static long doneLines(List<Cursor> cursors) {
        long n = 0;
        for (Cursor c : cursors) {
            n += c.acknowledgedLines();
        }
        return n;
    }

    /** One file, read a record ahead: the next record to send, its key and time. */
    private static final class Cursor {
        final int index;
        final Input input;
        final long resumedFrom;
        final InputStream in;
        final ByteLines lines;
        final Normalizer normalizer;
        final RecordClock clock = new RecordClock();
        /** Lines read so far; the line of the record held. */
        long line;
        /** Lines up to and including the last one handed to the producer (or skipped before it). */
        long sentThrough;
        long tooLong;
        boolean exhausted;
        byte[] value;
        byte[] key;
        Instant time;

        Cursor(int index, Input input, long resumedFrom) throws IOException {
            this.index = index;
            this.input = input;
            this.resumedFrom = resumedFrom;
            this.in = JsonLinesFiles.open(input.file());
            this.lines = new ByteLines(in, JsonLinesFiles.MAX_LINE_BYTES);
            this.normalizer = Normalizers.forPlatform(input.platform());
        }

        /** Reads the acknowledged lines again for their times only; returns how many there were. */
        long skipAcknowledged() throws IOException {
            while (line < resumedFrom) {
                ByteLines.Line l = lines.next();
                if (l == null) {
                    throw new IllegalArgumentException("the progress file says " + resumedFrom + " lines of "
                            + input.file() + " were sent, but it has only " + line + ": it is not the file that "
                            + "was replayed; delete the progress file to start again");
                }
                line = l.number();
                if (!l.tooLong() && !l.isBlank()) {
                    clock.observe(KafkaReplayer.eventTime(normalizer.normalize(l.bytes())));
                }
            }
            sentThrough = line;
            return line;
        }

        /** Holds the next record; false at the end of the file. */
        boolean advance() throws IOException {
            while (true) {
                ByteLines.Line l = lines.next();
                if (l == null) {
                    exhausted = true;
                    value = null;
                    return false;
                }
                line = l.number();
                if (l.tooLong()) {
                    tooLong++;
                    continue;
                }
                if (l.isBlank()) {
                    continue;
                }
                NormalizeResult n = normalizer.normalize(l.bytes());
                value = l.bytes();
                key = KafkaReplayer.key(n);
                time = clock.observe(KafkaReplayer.eventTime(n));
                return true;
            }
        }

        /** Lines Kafka has once the producer is flushed: through the last sent, or all at the end of the file. */
        long acknowledgedLines() {
            return exhausted ? line : sentThrough;
        }

        void close() {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
