package io.discoursetrends.model;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Base of the job's hand-written serializers for the immutable records it sends between tasks. Each instance
 * has its own string buffers ({@link Utf8Strings}), so {@link #duplicate()} gives every user its own.
 */
public abstract class RecordSerializer<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;

    private transient Utf8Strings strings;

    /** A fresh instance of the concrete serializer. */
    protected abstract RecordSerializer<T> newInstance();

    protected final Utf8Strings strings() {
        if (strings == null) {
            strings = new Utf8Strings();
        }
        return strings;
    }

    @Override
    public final boolean isImmutableType() {
        return true; // records and arrays nobody writes to after creation: no copies needed
    }

    @Override
    public final TypeSerializer<T> duplicate() {
        return newInstance();
    }

    @Override
    public final T createInstance() {
        return null; // immutable: never deserialized into a reused instance
    }

    @Override
    public final T copy(T from) {
        return from;
    }

    @Override
    public final T copy(T from, T reuse) {
        return from;
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final T deserialize(T reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public final void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass();
    }

    @Override
    public final int hashCode() {
        return getClass().hashCode();
    }
}
