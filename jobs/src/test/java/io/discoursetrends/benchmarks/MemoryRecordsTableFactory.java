package io.discoursetrends.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
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
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.lookup.LookupFunctionProvider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.LookupFunction;
import org.apache.flink.table.types.DataType;
import org.apache.flink.util.Collector;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

/**
 * A SQL table connector ({@code 'connector' = 'memory-records'}) over raw record values held in this JVM, decoded
 * by the table's {@code 'format'} exactly as the Kafka SQL connector decodes a topic's values: the format's
 * {@link DeserializationSchema} of {@link RowData}, one call per record. It lets the Flink SQL baseline of
 * {@link PipelineBenchmark} read the very bytes the DataStream stages read, without a broker in the measurement.
 * Bounded; one record per sequence number; a record the format refuses (null, with
 * {@code json.ignore-parse-errors}) is skipped, as the Kafka connector skips it. Also a lookup table on one STRING
 * column (see {@code getLookupRuntimeProvider}), for the SQL baseline's taxonomy table.
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

    private static final class Source implements ScanTableSource, LookupTableSource {
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

        /**
         * As a lookup table ({@code JOIN ... FOR SYSTEM_TIME AS OF proctime}), on one STRING column: the records
         * decoded once per task into a hash map, which is what a lookup connector with a full cache (JDBC, HBase
         * with {@code 'lookup.cache' = ...}) holds; no I/O per lookup.
         */
        @Override
        public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
            int[][] keys = context.getKeys();
            if (keys.length != 1 || keys[0].length != 1) {
                throw new IllegalArgumentException("a memory-records lookup needs one key column, got "
                        + java.util.Arrays.deepToString(keys));
            }
            return LookupFunctionProvider.of(new Lookup(id, keys[0][0], format.createRuntimeDecoder(context,
                    physical)));
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

    /** The rows of a lookup table by their key column (a STRING). */
    public static final class Lookup extends LookupFunction {
        private static final long serialVersionUID = 1L;
        private final String id;
        private final int keyField;
        private final DeserializationSchema<RowData> decoder;
        private transient Map<StringData, List<RowData>> index;

        Lookup(String id, int keyField, DeserializationSchema<RowData> decoder) {
            this.id = id;
            this.keyField = keyField;
            this.decoder = decoder;
        }

        @Override
        public void open(FunctionContext context) throws Exception {
            decoder.open(new DeserializationSchema.InitializationContext() {
                @Override
                public MetricGroup getMetricGroup() {
                    return new UnregisteredMetricsGroup();
                }

                @Override
                public UserCodeClassLoader getUserCodeClassLoader() {
                    return SimpleUserCodeClassLoader.create(Lookup.class.getClassLoader());
                }
            });
            index = new HashMap<>();
            for (byte[] value : REGISTRY.get(id)) {
                RowData row = decoder.deserialize(value);
                if (row != null && !row.isNullAt(keyField)) {
                    index.computeIfAbsent(row.getString(keyField), k -> new ArrayList<>()).add(row);
                }
            }
        }

        @Override
        public Collection<RowData> lookup(RowData key) {
            return key.isNullAt(0) ? List.of() : index.getOrDefault(key.getString(0), List.of());
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
