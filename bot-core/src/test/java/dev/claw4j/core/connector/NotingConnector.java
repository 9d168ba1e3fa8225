package dev.claw4j.core.connector;

import dev.claw4j.core.model.OutboundMessage;
import java.util.function.Consumer;

/** A connector of {@code platform} that delivers every reply by handing it to {@code note}, for tests of the host. */
public record NotingConnector(String platform, Consumer<OutboundMessage> note) implements Connector {
    @Override
    public void start(Inbox inbox) {
    }

    @Override
    public Delivered deliver(OutboundMessage message) {
        note.accept(message);
        return Delivered.NO_IDS;
    }

    @Override
    public void close() {
    }
}
