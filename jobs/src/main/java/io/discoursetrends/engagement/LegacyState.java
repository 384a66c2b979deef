package io.discoursetrends.engagement;

import io.discoursetrends.model.Engagement;
import java.util.List;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The states attribution kept per post before {@link PostState} (up to commit e05410d), exactly as they were
 * declared, so that {@link AttributionOperator} can read them from an older savepoint.
 */
final class LegacyState {
    static final List<String> NAMES = List.of("post", "pending-engagement", "indexed-post", "indexed-post-dirty");

    private LegacyState() {}

    static ValueStateDescriptor<TrackedPost> post() {
        return new ValueStateDescriptor<>("post", TrackedPost.class);
    }

    static ListStateDescriptor<Engagement> pending() {
        return new ListStateDescriptor<>("pending-engagement", TypeInformation.of(Engagement.class));
    }

    static ValueStateDescriptor<IndexedPost> indexed() {
        return new ValueStateDescriptor<>("indexed-post", IndexedPost.class);
    }

    static ValueStateDescriptor<Boolean> indexedDirty() {
        return new ValueStateDescriptor<>("indexed-post-dirty", Types.BOOLEAN);
    }
}
