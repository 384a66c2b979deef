package io.discoursetrends.benchmarks;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.RuntimeContextInitializationContextAdapters;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.util.Collector;

/**
 * A SQL table connector ({@code 'connector' = 'memory-records'}) over raw record values held in this JVM, decoded
 * by the table's {@code 'format'} exactly as the Kafka SQL connector decodes a topic's values: the format's
 * {@link DeserializationSchema} of {@link RowData}, one call per record. It lets the Flink SQL baseline of
 * {@link PipelineBenchmark} read the very bytes the DataStream stages read, without a broker in the measurement.
 * Bounded; one record per sequence number; a record the format refuses (null, with
 * {@code json.ignore-parse-errors}) is skipped, as the Kafka connector skips it.
 */
public final class MemoryRecordsTableFactory implements DynamicTableSourceFactory {
    public static final String IDENTIFIER = "memory-records";
    /** The id under which {@link #register} put the values. */
    public static final ConfigOption<String> RECORDS = ConfigOptions.key("records").stringType().noDefaultValue();

    private static final Map<String, byte[][]> REGISTRY = new ConcurrentHashMap<>();

    /** Makes {@code values} readable as {@code 'records' = id} (same JVM: a MiniCluster). */
    public static void register(String id, byte[][] values) {
        REGISTRY.put(id, values);
    }

    public static void unregister(String id) {
        REGISTRY.remove(id);
    }

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(RECORDS, FactoryUtil.FORMAT);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of();
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        DecodingFormat<DeserializationSchema<RowData>> format =
                helper.discoverDecodingFormat(DeserializationFormatFactory.class, FactoryUtil.FORMAT);
        helper.validate();
        String id = helper.getOptions().get(RECORDS);
        if (!REGISTRY.containsKey(id)) {
            throw new IllegalArgumentException("no records registered as '" + id + "'");
        }
        return new Source(id, format, context.getPhysicalRowDataType());
    }

    private static final class Source implements ScanTableSource {
        private final String id;
        private final DecodingFormat<DeserializationSchema<RowData>> format;
        private final DataType physical;

        Source(String id, DecodingFormat<DeserializationSchema<RowData>> format, DataType physical) {
            this.id = id;
            this.format = format;
            this.physical = physical;
        }

        @Override
        public ChangelogMode getChangelogMode() {
            return format.getChangelogMode();
        }

        @Override
        public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
            DeserializationSchema<RowData> decoder = format.createRuntimeDecoder(context, physical);
            TypeInformation<RowData> type = context.createTypeInformation(physical);
            int n = REGISTRY.get(id).length;
            return new DataStreamScanProvider() {
                @Override
                public DataStream<RowData> produceDataStream(ProviderContext provider, StreamExecutionEnvironment env) {
                    return env.fromSequence(0, Math.max(0, n - 1)).name("records " + id)
                            .uid(provider.generateUid("records").orElse("records-" + id))
                            .flatMap(new Decode(id, n, decoder)).returns(type).name("decode " + id)
                            .uid(provider.generateUid("decode").orElse("decode-" + id));
                }

                @Override
                public boolean isBounded() {
                    return true;
                }
            };
        }

        @Override
        public DynamicTableSource copy() {
            return new Source(id, format, physical);
        }

        @Override
        public String asSummaryString() {
            return IDENTIFIER + "(" + id + ")";
        }
    }

    /** Sequence number to decoded row (none for a record the format skips). */
    private static final class Decode extends RichFlatMapFunction<Long, RowData> {
        private static final long serialVersionUID = 1L;
        private final String id;
        private final int n;
        private final DeserializationSchema<RowData> decoder;
        private transient byte[][] values;

        Decode(String id, int n, DeserializationSchema<RowData> decoder) {
            this.id = id;
            this.n = n;
            this.decoder = decoder;
        }

        @Override
        public void open(OpenContext context) throws Exception {
            values = REGISTRY.get(id);
            decoder.open(RuntimeContextInitializationContextAdapters.deserializationAdapter(getRuntimeContext()));
        }

        @Override
        public void flatMap(Long index, Collector<RowData> out) throws Exception {
            if (index >= n) {
                return; // an empty table still has one sequence number
            }
            RowData row = decoder.deserialize(values[index.intValue()]);
            if (row != null) {
                out.collect(row);
            }
        }
    }
}
