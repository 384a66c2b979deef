package io.discoursetrends.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.auth.AuthScope;
import org.apache.http.auth.UsernamePasswordCredentials;
import org.apache.http.conn.ssl.NoopHostnameVerifier;
import org.apache.http.conn.ssl.TrustAllStrategy;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.apache.http.message.BasicHeader;
import org.apache.http.ssl.SSLContextBuilder;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;

/** Builds elasticsearch-java clients from an {@link ElasticsearchConnection} and the process environment. */
public final class ElasticsearchClients {
    private ElasticsearchClients() {}

    public static ElasticsearchClient create(ElasticsearchConnection connection) {
        return create(connection, connection.environment());
    }

    static ElasticsearchClient create(ElasticsearchConnection connection, Map<String, String> env) {
        HttpHost[] hosts = connection.urls().stream().map(HttpHost::create).toArray(HttpHost[]::new);
        ElasticsearchConnection.Credentials credentials = connection.credentials(env);
        SSLContext ssl = sslContext(connection);
        RestClientBuilder builder = RestClient.builder(hosts)
                // Generous timeouts: a bulk request to a busy cluster may take a while; the sink retries.
                .setRequestConfigCallback(rc -> rc.setConnectTimeout(5_000).setSocketTimeout(60_000));
        if (credentials.apiKey() != null) {
            builder.setDefaultHeaders(new Header[] {new BasicHeader("Authorization", "ApiKey " + credentials.apiKey())});
        }
        builder.setHttpClientConfigCallback(http -> {
            if (credentials.username() != null) {
                BasicCredentialsProvider provider = new BasicCredentialsProvider();
                provider.setCredentials(AuthScope.ANY,
                        new UsernamePasswordCredentials(credentials.username(), credentials.password()));
                http.setDefaultCredentialsProvider(provider);
            }
            if (ssl != null) {
                http.setSSLContext(ssl);
            }
            if (!connection.verifyTls()) {
                http.setSSLHostnameVerifier(NoopHostnameVerifier.INSTANCE);
            }
            return http;
        });
        return new ElasticsearchClient(new RestClientTransport(builder.build(), new JacksonJsonpMapper()));
    }

    private static SSLContext sslContext(ElasticsearchConnection connection) {
        try {
            if (!connection.verifyTls()) {
                return SSLContextBuilder.create().loadTrustMaterial(TrustAllStrategy.INSTANCE).build();
            }
            if (connection.caCertificateFile() == null) {
                return null; // the JVM's default trust store
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(Path.of(connection.caCertificateFile()))) {
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trust.setCertificateEntry("ca-" + i++, c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the CA certificate file '"
                    + connection.caCertificateFile() + "' (expected PEM X.509 certificates): " + e.getMessage(), e);
        }
    }
}
