package io.discoursetrends.engagement;

import io.discoursetrends.model.Engagement;
import java.util.List;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The states attribution kept per post in older releases, exactly as they were declared, so that
 * {@link AttributionOperator} can read them from an older savepoint: four states per post before {@link PostState}
 * (up to commit e05410d), then {@link PostState} in {@code post-state} with Flink's POJO serializer and engagement
 * ids in full (up to commit ebcbeaf).
 */
final class LegacyState {
    static final List<String> NAMES = List.of("post", "pending-engagement", "indexed-post", "indexed-post-dirty");

    /** The first layout of {@link PostState}: the same class, written by Flink's POJO serializer. */
    static final String POST_STATE_V1 = "post-state";

    private LegacyState() {}

    static ValueStateDescriptor<PostState> postStateV1() {
        return new ValueStateDescriptor<>(POST_STATE_V1, PostState.class);
    }

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
