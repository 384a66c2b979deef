package io.discoursetrends.esnode;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Starts one Elasticsearch node in this JVM from a home directory laid out like a distribution
 * ({@code lib/}, {@code modules/}, {@code config/}), the way the distribution's own bootstrap does, minus
 * what needs the server CLI (keystore, entitlements, native controllers, bootstrap checks).
 *
 * <p>Compiled for Java 17 so the build needs no newer compiler; the server's classes are Java 21 class files,
 * so they are reached only through reflection and this class runs on Java 21+. Signatures are those of
 * Elasticsearch 9.5.3.
 *
 * <p>Arguments: {@code -Ekey=value} node settings ({@code path.home} is required), and optionally
 * {@code --exit-on-stdin-close}: the node stops when its standard input reaches end of file, which happens
 * when the parent process dies, even from SIGKILL, when no shutdown hook of the parent can run.
 */
public final class ElasticsearchNodeMain {

    private static final String EXIT_ON_STDIN_CLOSE = "--exit-on-stdin-close";

    private ElasticsearchNodeMain() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            // Non-daemon threads of a half-started node would keep the JVM alive: exit explicitly.
            Throwable cause = t instanceof InvocationTargetException && t.getCause() != null ? t.getCause() : t;
            System.err.println("Elasticsearch node failed to start:");
            cause.printStackTrace(System.err);
            System.err.flush();
            Runtime.getRuntime().halt(1);
        }
    }

    private static void run(String[] args) throws Exception {
        if (Runtime.version().feature() < 21) {
            // Otherwise the first server class fails with an UnsupportedClassVersionError that names no remedy.
            throw new IllegalStateException("Elasticsearch 9.5 needs Java 21 or newer; this is Java "
                    + Runtime.version() + " at " + System.getProperty("java.home"));
        }
        Map<String, String> settings = new LinkedHashMap<>();
        boolean exitOnStdinClose = false;
        for (String arg : args) {
            if (arg.equals(EXIT_ON_STDIN_CLOSE)) {
                exitOnStdinClose = true;
            } else if (arg.startsWith("-E") && arg.indexOf('=') > 2) {
                int eq = arg.indexOf('=');
                settings.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else {
                throw new IllegalArgumentException("unexpected argument [" + arg + "]; expected -Ekey=value or "
                        + EXIT_ON_STDIN_CLOSE);
            }
        }
        if (exitOnStdinClose) {
            // Started first, so that a parent that dies while the node is still starting stops it too.
            Thread watcher = new Thread(ElasticsearchNodeMain::exitWhenStdinCloses, "es-node-parent-watch");
            watcher.setDaemon(true);
            watcher.start();
        }
        String home = settings.remove("path.home");
        if (home == null) {
            throw new IllegalArgumentException("-Epath.home=<es-home> is required");
        }
        Path homeDir = Paths.get(home).toAbsolutePath();
        // What the distribution's jvm.options and CLI would set; they must be in place before log4j and the
        // native-access code initialise. es.path.home is where the native library loader looks; without it
        // the loader fails on a null path instead of simply finding no native libraries.
        System.setProperty("es.path.home", homeDir.toString());
        // Our shutdown hook closes the node and the node logs while closing: log4j must still be running then.
        System.setProperty("log4j.shutdownHookEnabled", "false");
        System.setProperty("log4j2.disable.jmx", "true");
        System.setProperty("log4j2.formatMsgNoLookups", "true");
        String nodeName = settings.getOrDefault("node.name", "local");
        String clusterName = settings.getOrDefault("cluster.name", "elasticsearch");

        Class<?> settingsClass = type("org.elasticsearch.common.settings.Settings");
        Class<?> builderClass = type("org.elasticsearch.common.settings.Settings$Builder");
        Class<?> environmentClass = type("org.elasticsearch.env.Environment");
        Class<?> logConfigurator = type("org.elasticsearch.common.logging.LogConfigurator");
        Class<?> pluginsLoaderClass = type("org.elasticsearch.plugins.PluginsLoader");
        Class<?> nodeClass = type("org.elasticsearch.node.Node");

        // Before anything logs: otherwise log4j's status errors are lost instead of failing the start.
        invokeStatic(logConfigurator, "registerErrorListener", new Class<?>[0]);

        Object builder = invokeStatic(settingsClass, "builder", new Class<?>[0]);
        invoke(builder, builderClass, "put", new Class<?>[] {String.class, String.class}, "path.home", homeDir.toString());
        Object input = invoke(builder, builderClass, "build", new Class<?>[0]);
        Supplier<String> defaultNodeName = () -> nodeName;
        Object environment = invokeStatic(type("org.elasticsearch.node.InternalSettingsPreparer"), "prepareEnvironment",
                new Class<?>[] {settingsClass, Map.class, Path.class, Supplier.class},
                input, settings, homeDir.resolve("config"), defaultNodeName);

        invokeStatic(logConfigurator, "setClusterName", new Class<?>[] {String.class}, clusterName);
        invokeStatic(logConfigurator, "setNodeName", new Class<?>[] {String.class}, nodeName);
        invokeStatic(logConfigurator, "configure", new Class<?>[] {environmentClass, boolean.class}, environment, true);

        // false: not a stateless (serverless) node, which selects the modules meant for regular deployments.
        Path modulesDir = (Path) invoke(environment, environmentClass, "modulesDir", new Class<?>[0]);
        Path pluginsDir = (Path) invoke(environment, environmentClass, "pluginsDir", new Class<?>[0]);
        Object modules = invokeStatic(pluginsLoaderClass, "loadModulesBundles",
                new Class<?>[] {Path.class, boolean.class}, modulesDir, false);
        Object plugins = invokeStatic(pluginsLoaderClass, "loadPluginsBundles",
                new Class<?>[] {Path.class, boolean.class}, pluginsDir, false);
        // Empty map: no plugin is granted native access; only the distribution's entitlement policies would.
        // false: no qualified exports from the server module, because on the class path there is no such module
        // (the 3-argument overload assumes one and fails on the unnamed module's missing descriptor).
        Object pluginsLoader = invokeStatic(pluginsLoaderClass, "createPluginsLoader",
                new Class<?>[] {Set.class, Set.class, Map.class, boolean.class}, modules, plugins, Map.of(), false);

        Constructor<?> nodeConstructor = nodeClass.getConstructor(environmentClass, pluginsLoaderClass);
        Object node;
        try {
            node = nodeConstructor.newInstance(environment, pluginsLoader);
        } catch (InvocationTargetException e) {
            throw rethrow(e);
        }

        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeNode(nodeClass, node, closed), "es-node-shutdown"));
        invoke(node, nodeClass, "start", new Class<?>[0]);
        System.out.println("discourse-trends local Elasticsearch node started: " + nodeName);
        System.out.flush();

        // The node's own threads are daemons: without this wait the JVM would exit right after start().
        closed.await();
    }

    private static void exitWhenStdinCloses() {
        try {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            while (in.read(buffer) >= 0) {
                // Input is ignored; only end of stream means something.
            }
        } catch (IOException e) {
            // A broken pipe also means the parent is gone.
        }
        System.out.println("standard input closed (parent process gone); stopping the node");
        System.exit(0);
    }

    private static void closeNode(Class<?> nodeClass, Object node, CountDownLatch closed) {
        try {
            invoke(node, nodeClass, "prepareForClose", new Class<?>[0]);
            invoke(node, nodeClass, "close", new Class<?>[0]);
            boolean done = (Boolean) invoke(node, nodeClass, "awaitClose",
                    new Class<?>[] {long.class, TimeUnit.class}, 10L, TimeUnit.SECONDS);
            if (!done) {
                System.err.println("Elasticsearch node did not close within 10 s");
            }
        } catch (Exception e) {
            System.err.println("failed to close the Elasticsearch node cleanly:");
            e.printStackTrace(System.err);
        } finally {
            closed.countDown();
        }
    }

    private static Class<?> type(String name) throws ClassNotFoundException {
        return Class.forName(name, true, ElasticsearchNodeMain.class.getClassLoader());
    }

    private static Object invokeStatic(Class<?> owner, String name, Class<?>[] parameterTypes, Object... args)
            throws Exception {
        return invoke(null, owner, name, parameterTypes, args);
    }

    private static Object invoke(Object target, Class<?> owner, String name, Class<?>[] parameterTypes, Object... args)
            throws Exception {
        Method method = owner.getMethod(name, parameterTypes);
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw rethrow(e);
        }
    }

    private static Exception rethrow(InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        return cause instanceof Exception ? (Exception) cause : e;
    }
}
