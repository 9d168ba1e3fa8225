package dev.claw4j.slack;

import com.slack.api.model.File;
import com.slack.api.model.event.AppMentionEvent;
import com.slack.api.model.event.MessageEvent;
import com.slack.api.model.event.MessageFileShareEvent;
import com.slack.api.model.event.MessageThreadBroadcastEvent;
import java.util.List;

/**
 * The part of a Slack message event the connector uses, the same whether it came as {@code app_mention} or as
 * one of the {@code message} events, so both are turned into the same inbound message.
 */
record SlackEvent(String channel, String channelType, String user, String botId, String text, String ts,
                  String threadTs, List<File> files, boolean appMention) {
    SlackEvent {
        files = files == null ? List.of() : List.copyOf(files);
    }

    static SlackEvent of(AppMentionEvent e) {
        return new SlackEvent(e.getChannel(), null, e.getUser(), e.getBotId(), e.getText(), e.getTs(),
                e.getThreadTs(), e.getFiles(), true);
    }

    static SlackEvent of(MessageEvent e) {
        return new SlackEvent(e.getChannel(), e.getChannelType(), e.getUser(), e.getBotId(), e.getText(), e.getTs(),
                e.getThreadTs(), e.getFiles(), false);
    }

    static SlackEvent of(MessageFileShareEvent e) {
        return new SlackEvent(e.getChannel(), e.getChannelType(), e.getUser(), null, e.getText(), e.getTs(),
                e.getThreadTs(), e.getFiles(), false);
    }

    static SlackEvent of(MessageThreadBroadcastEvent e) {
        return new SlackEvent(e.getChannel(), e.getChannelType(), e.getUser(), null, e.getText(), e.getTs(),
                e.getThreadTs(), List.of(), false);
    }

    /** A direct message: an im channel (IDs of DMs start with D). */
    boolean direct() {
        return "im".equals(channelType) || channel != null && channel.startsWith("D");
    }

    /** The bot is @mentioned in the text (a message event carries the mention only there). */
    boolean mentions(String botUserId) {
        return appMention || text != null && botUserId != null
                && (text.contains("<@" + botUserId + ">") || text.contains("<@" + botUserId + "|"));
    }
}
