package dev.claw4j.app;

import dev.claw4j.core.connector.Connector;
import dev.claw4j.web.WebConnector;
import dev.claw4j.web.WebSettings;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The connectors the config asks for. One without its token is skipped, and start-up says so. */
final class Connectors {
    private static final Logger log = LoggerFactory.getLogger(Connectors.class);

    private Connectors() {}

    static List<Connector> fromConfig(Config config) {
        List<Connector> list = new ArrayList<>();
        Config.Web web = config.connectors().web();
        if (web.enabled()) {
            list.add(new WebConnector(new WebSettings(web.bind(), web.port(), config.botName())));
        } else {
            log.info("web chat: disabled (connectors.web.enabled: false)");
        }
        return list;
    }
}
