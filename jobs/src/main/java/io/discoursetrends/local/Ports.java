package io.discoursetrends.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Free TCP ports on the loopback interface, for the local broker and node.
 *
 * <p>A port is free when asked and may be taken by another process before the child binds it; the window is
 * short and the child then fails to start with "address in use" in its log. Within this JVM no port is handed
 * out twice, so the broker's two ports and the node's two ports never collide with each other even when the OS
 * would return a recently released port again.
 */
public final class Ports {

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private Ports() {}

    /** A port on 127.0.0.1 that nothing listens on right now and that this JVM has not handed out before. */
    public static int freeLoopbackPort() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open a server socket on the loopback interface", e);
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no unused loopback port after 50 attempts");
    }
}
