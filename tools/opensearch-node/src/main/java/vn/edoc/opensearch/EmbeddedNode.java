package vn.edoc.opensearch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.node.NodeValidationException;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single OpenSearch 2.19 node embedded in one JVM, for eDoc's tests and local development.
 *
 * <p>The modules a distribution loads from its modules/ folder (the netty4 HTTP and transport layer,
 * analysis-common, painless) are loaded here as classpath plugins, as OpenSearch's own MockNode does.
 * No security plugin: the node binds to 127.0.0.1 only.
 *
 * <p>Usage: {@code java -jar opensearch-node.jar DIR [HTTP_PORT] [TRANSPORT_PORT]}; data and logs live
 * under DIR. SIGTERM closes the node cleanly.
 */
public final class EmbeddedNode extends Node {

    private EmbeddedNode(Environment environment) {
        super(
            environment,
            List.of(Netty4Plugin.class, CommonAnalysisPlugin.class, PainlessPlugin.class),
            true
        );
    }

    /** The node settings for a home directory and ports; extra -Dopensearch.setting.X=Y properties override them. */
    static Settings settings(Path home, int httpPort, int transportPort) {
        Settings.Builder builder = Settings.builder()
            .put("cluster.name", System.getProperty("edoc.opensearch.cluster", "edoc"))
            .put("node.name", "edoc-" + httpPort)
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            .put("transport.port", transportPort)
            .put("discovery.type", "single-node")
            // A developer's or CI's disk is often fuller than a server's: never turn indices read-only.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("action.auto_create_index", false)
            // One JVM on a small machine: a few threads are enough.
            .put("node.processors", Math.min(Runtime.getRuntime().availableProcessors(), 2));
        String prefix = "opensearch.setting.";
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(prefix)) {
                builder.put(name.substring(prefix.length()), System.getProperty(name));
            }
        }
        return builder.build();
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: java -jar opensearch-node.jar DIR [HTTP_PORT] [TRANSPORT_PORT]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int httpPort = args.length > 1 ? Integer.parseInt(args[1]) : 9201;
        int transportPort = args.length > 2 ? Integer.parseInt(args[2]) : httpPort + 100;
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));

        Settings settings = settings(home, httpPort, transportPort);
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings,
            Map.of(),
            home.resolve("config"),
            () -> settings.get("node.name")
        );
        EmbeddedNode node = new EmbeddedNode(environment);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (IOException e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "edoc-opensearch-shutdown"));
        try {
            node.start();
        } catch (NodeValidationException e) {
            System.err.println("node failed its start checks: " + e.getMessage());
            System.exit(1);
        }
        System.out.println("edoc opensearch node started on http://127.0.0.1:" + httpPort);
        stopped.await();
    }
}
