package io.discoursetrends.parentwatch;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Runs {@code args[0]}'s {@code main} with the remaining arguments, and exits this JVM as soon as the process
 * that started it is gone, even when that process was SIGKILLed and could run no shutdown hook.
 *
 * <p>The parent is watched through standard input: the parent holds the write end of a pipe to it, and the
 * kernel closes that pipe when the parent dies however it dies, so a read returns end of file. (A pid watch
 * would also work, but pids are reused and a dead parent's pid may belong to another process by the time it is
 * checked.) The child must therefore never be started with its input redirected from a file or a terminal;
 * Kafka's and Flink's servers do not read standard input. {@code System.exit} runs the server's own shutdown
 * hooks (Kafka closes its logs, a TaskManager deregisters); if they hang, the JVM halts after
 * {@value #HALT_AFTER_MILLIS} ms.
 */
public final class ParentWatch {

    static final long HALT_AFTER_MILLIS = 20_000;

    private ParentWatch() {}

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: ParentWatch MAIN_CLASS [ARGS...]");
            System.exit(2);
        }
        Thread watcher = new Thread(ParentWatch::exitWhenStdinCloses, "parent-watch");
        watcher.setDaemon(true);
        watcher.start();
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
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
        System.err.println("parent-watch: standard input closed (the process that started this one is gone); exiting");
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(HALT_AFTER_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(1);
        }, "parent-watch-halt");
        halt.setDaemon(true);
        halt.start();
        System.exit(143);
    }
}
