package dev.heartbeat.sample.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A service that watches its peers and is watched by them: everything comes from the starter and
 * {@code application.yml}. Run two of them watching each other:
 *
 * <pre>
 * java -jar target/heartbeat-sample-boot-app-0.1.0-SNAPSHOT.jar --spring.application.name=a \
 *      --server.port=8081 --heartbeat.responder.port=7071 --heartbeat.peers.b.address=127.0.0.1:7072
 * java -jar target/heartbeat-sample-boot-app-0.1.0-SNAPSHOT.jar --spring.application.name=b \
 *      --server.port=8082 --heartbeat.responder.port=7072 --heartbeat.peers.a.address=127.0.0.1:7071
 * </pre>
 */
@SpringBootApplication
public class OrdersApplication {

    public static void main(String[] args) {
        SpringApplication.run(OrdersApplication.class, args);
    }
}
