package io.discoursetrends.classify;

import java.io.Serializable;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A taxonomy that cannot be used, with every problem found (not just the first), so an analyst fixes the file
 * in one round. The message is one line per problem, "source:line:column: message", the form compilers and
 * editors understand. An IllegalArgumentException: the input is wrong, not the program.
 */
public final class TaxonomyException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** One problem, at a 1-based line and column of the YAML. Serializable, as the exception must be. */
    public record Problem(int line, int column, String message) implements Serializable {
        public String format(String source) {
            return source + ":" + line + ":" + column + ": " + message;
        }
    }

    private final String source;
    private final List<Problem> problems;

    public TaxonomyException(String source, List<Problem> problems) {
        super(problems.stream().map(p -> p.format(source)).collect(Collectors.joining("\n")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a TaxonomyException needs at least one problem");
        }
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    public String source() {
        return source;
    }

    /** In the order of the file (line, then column). */
    public List<Problem> problems() {
        return problems;
    }

    /** Each problem as "source:line:column: message". */
    public List<String> formatted() {
        return problems.stream().map(p -> p.format(source)).toList();
    }
}
