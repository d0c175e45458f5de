package io.hydrascope.neo4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import inet.ipaddr.IPAddressString;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Runs Neo4j Community embedded with its Bolt connector, for local development and tests.
 *
 * <p>Why embedded: the machines this project runs on have Java and Maven but no Docker engine and
 * no Neo4j package, so the project builds this launcher from Maven Central artifacts. Bolt binds
 * to the given loopback address only, authentication is on, and the password is read from a file
 * (never from the command line, where other users could see it in the process list).
 *
 * <p>{@code LOAD CSV} reaches nothing outside the graph: file URLs are off, the import directory
 * is a dedicated empty folder ({@code <home>/import}), and the Cypher IP block list covers every
 * IPv4 and IPv6 address, so no URL can be fetched. The read-only analyst console relies on this:
 * {@code LOAD CSV} is a read clause to Neo4j, so a read transaction alone would not stop it.
 *
 * <p>Usage: {@code Launcher <home-dir> <bolt-host> <bolt-port> <password-file> <pagecache-mb>}
 */
public final class Launcher {
    /** Every IPv4 and every IPv6 address: {@code LOAD CSV} may fetch from none. */
    static final List<IPAddressString> BLOCK_EVERY_ADDRESS =
            List.of(new IPAddressString("0.0.0.0/0"), new IPAddressString("::/0"));

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: Launcher <home-dir> <bolt-host> <bolt-port> <password-file> <pagecache-mb>");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        String password = readPassword(Path.of(args[3]));
        long pageCacheBytes = Long.parseLong(args[4]) * 1024L * 1024L;
        Path importDir = emptyImportDirectory(home);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                // a request the server cannot answer (it fails to send a value too deep to pack)
                // leaves the client waiting for keep-alive probes x interval: 10 s, not 2 minutes
                .setConfig(BoltConnector.connection_keep_alive, Duration.ofSeconds(5))
                .setConfig(BoltConnector.connection_keep_alive_probes, 2)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCacheBytes)
                // a local, single-user server needs no point-in-time recovery: keep ~1 GiB of
                // transaction logs, not the default 2 days (21 GiB after one full-scale ingest)
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "1G size")
                // LOAD CSV reads no file and fetches no URL (see the class comment)
                .setConfig(GraphDatabaseSettings.allow_file_urls, false)
                .setConfig(GraphDatabaseSettings.load_csv_file_url_root, importDir)
                .setConfig(GraphDatabaseInternalSettings.cypher_ip_blocklist, BLOCK_EVERY_ADDRESS)
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("hydrascope-neo4j: shutting down");
            dbms.shutdown();
            stopped.countDown();
        }, "neo4j-shutdown"));

        try {
            applyPassword(dbms, password);
        } catch (RuntimeException e) {
            // Without this the JVM would hang on Neo4j's non-daemon threads, and the caller would
            // wait for a "ready" line that never comes.
            System.out.println("hydrascope-neo4j: failed: " + e.getMessage());
            dbms.shutdown();
            System.exit(1);
        }

        GraphDatabaseService neo4j = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        int boundPort = port;
        if (neo4j instanceof GraphDatabaseAPI api) {
            ConnectorPortRegister ports = api.getDependencyResolver().resolveDependency(ConnectorPortRegister.class);
            boundPort = ports.getLocalAddress(org.neo4j.configuration.connectors.ConnectorType.BOLT).getPort();
        }
        System.out.println("hydrascope-neo4j: ready bolt://" + host + ":" + boundPort);
        System.out.flush();
        stopped.await();
    }

    /**
     * (Re)applies the stored password on every start, so that the password file is always the truth.
     * Neo4j refuses to "change" a password to the one it already has; that case is the normal restart.
     */
    private static void applyPassword(DatabaseManagementService dbms, String password) {
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            if (!message.contains("Old password and new password cannot be the same")) {
                throw e;
            }
        }
    }

    /**
     * The import directory: created empty and kept empty (a file found in it is a mistake or an
     * attempt to feed {@code LOAD CSV}, so start-up stops and says so).
     */
    private static Path emptyImportDirectory(Path home) throws IOException {
        Path dir = home.resolve("import");
        Files.createDirectories(dir);
        try (var entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalStateException("the import directory must stay empty: " + dir);
            }
        }
        return dir;
    }

    private static String readPassword(Path file) throws IOException {
        String value = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (value.isEmpty()) {
            throw new IllegalArgumentException("password file is empty: " + file);
        }
        return value;
    }
}
