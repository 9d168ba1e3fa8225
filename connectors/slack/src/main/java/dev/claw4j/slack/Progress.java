package dev.claw4j.slack;

import com.slack.api.methods.MethodsClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Visible progress on the message that started the work: 👀 while the agent works, ✅ when it is done (❌ when
 * the host says the turn failed). Best effort: a missing reaction is never worth failing a turn for.
 */
final class Progress {
    private static final Logger log = LoggerFactory.getLogger(Progress.class);
    static final String WORKING = "eyes";
    static final String DONE = "white_check_mark";
    static final String FAILED = "x";

    private final MethodsClient client;
    private final ChatLanes lanes;
    /** chat/thread → ts of the latest addressed message there: the host reports work by chat and thread. */
    private final Bounded<String, String> triggers = new Bounded<>(10_000);

    Progress(MethodsClient client, ChatLanes lanes) {
        this.client = client;
        this.lanes = lanes;
    }

    void triggeredBy(String channel, String threadId, String ts) {
        triggers.put(SlackInbound.key(channel, threadId), ts);
    }

    /** Runs in the channel's lane, after the message that triggered the work was handed to the host. */
    void working(String channel, String threadId, boolean busy, boolean failed) {
        triggers.get(SlackInbound.key(channel, threadId)).ifPresent(ts -> lanes.submit(channel, () -> {
            if (busy) {
                react(true, channel, ts, WORKING);
            } else {
                react(false, channel, ts, WORKING);
                react(true, channel, ts, failed ? FAILED : DONE);
            }
        }));
    }

    private void react(boolean add, String channel, String ts, String name) {
        try {
            var response = add
                    ? client.reactionsAdd(r -> r.channel(channel).timestamp(ts).name(name))
                    : client.reactionsRemove(r -> r.channel(channel).timestamp(ts).name(name));
            if (!response.isOk() && !"already_reacted".equals(response.getError())
                    && !"no_reaction".equals(response.getError())) {
                log.info("slack: reaction :{}: on {} {} not {} ({}; is reactions:write granted?)", name, channel, ts,
                        add ? "added" : "removed", response.getError());
            }
        } catch (Exception e) {
            log.info("slack: reaction :{}: on {} {} failed: {}", name, channel, ts, e.toString());
        }
    }
}
