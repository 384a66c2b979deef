package io.discoursetrends.kafka;

import io.discoursetrends.classify.TaxonomyUpdate;
import java.io.IOException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads taxonomy updates from the control topic. A record that is not an update ({@code topics publish} writes
 * only valid ones, but anything can write to a topic) is logged with its coordinates and reason and counted in
 * {@code controlRecordsRejected}; the job goes on with its current taxonomy.
 */
public final class TaxonomyUpdateDeserializer implements KafkaRecordDeserializationSchema<TaxonomyUpdate> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TaxonomyUpdateDeserializer.class);

    private transient Counter rejected;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        rejected = context.getMetricGroup().counter("controlRecordsRejected");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<TaxonomyUpdate> out) throws IOException {
        if (record.value() == null) {
            return; // a tombstone: compaction removing an old update, nothing to apply
        }
        try {
            out.collect(TaxonomyUpdate.fromJson(record.value()));
        } catch (IllegalArgumentException e) {
            rejected.inc();
            LOG.error("Ignoring control record {}/{}/{}: {}. Publish taxonomies with `discourse-trends topics "
                    + "publish`.", record.topic(), record.partition(), record.offset(), e.getMessage());
        }
    }

    @Override
    public TypeInformation<TaxonomyUpdate> getProducedType() {
        return TypeInformation.of(TaxonomyUpdate.class);
    }
}
