package dev.claw4j.discord;

import dev.claw4j.core.model.Attachment;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import java.util.ArrayList;
import java.util.List;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.User;
import net.dv8tion.jda.api.entities.channel.ChannelType;
import net.dv8tion.jda.api.entities.channel.concrete.ThreadChannel;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;

/**
 * Turns a JDA message event into the host's {@link InboundMessage}: where it was (a thread maps to its parent
 * channel plus the thread id), who sent it, whether it is addressed to the bot, its text without the bot's
 * mention, and its files.
 */
final class InboundMessages {
    static final String PLATFORM = "discord";

    private final StickyThreads sticky;
    private final boolean stickyThreads;
    private final AttachmentDownloader downloader;

    InboundMessages(boolean stickyThreads, StickyThreads sticky, AttachmentDownloader downloader) {
        this.stickyThreads = stickyThreads;
        this.sticky = sticky;
        this.downloader = downloader;
    }

    /** Null for messages the host must not see: the bot's own, other bots', webhooks and system messages. */
    InboundMessage from(MessageReceivedEvent event) {
        Message message = event.getMessage();
        User author = event.getAuthor();
        User self = event.getJDA().getSelfUser();
        if (author.isBot() || author.isSystem() || event.isWebhookMessage() || author.getIdLong() == self.getIdLong()
                || message.getType().isSystem()) {
            return null;
        }
        boolean direct = event.getChannelType() == ChannelType.PRIVATE;
        String chatId = event.getChannel().getId();
        String threadId = null;
        if (event.getChannelType().isThread()) {
            ThreadChannel thread = event.getChannel().asThreadChannel();
            chatId = thread.getParentChannel().getId();
            threadId = thread.getId();
        }
        boolean mentioned = message.getMentions().isMentioned(self, Message.MentionType.USER);
        // DMs are addressed by their kind; this flag is what counts in servers
        boolean sticky = stickyThread(threadId, mentioned); // first: a mention must be remembered
        boolean addressed = sticky || mentioned || repliesToBot(message, self);

        List<Attachment> files = new ArrayList<>();
        StringBuilder text = new StringBuilder(textOf(message, self));
        for (Message.Attachment a : message.getAttachments()) {
            downloader.download(a).ifPresentOrElse(files::add, () -> text.append(text.isEmpty() ? "" : "\n")
                    .append(AttachmentDownloader.notDownloaded(a)));
        }
        String name = event.getMember() != null ? event.getMember().getEffectiveName() : author.getEffectiveName();
        return new InboundMessage(PLATFORM, chatId, threadId, author.getId(), name, text.toString(),
                message.getId(), direct ? ChatKind.DIRECT : ChatKind.GROUP, addressed,
                message.getTimeCreated().toInstant(), files);
    }

    private static boolean repliesToBot(Message message, User self) {
        Message replied = message.getReferencedMessage();
        return replied != null && replied.getAuthor().getIdLong() == self.getIdLong();
    }

    /** A mention makes the thread sticky; a thread that is sticky addresses every later message. */
    private boolean stickyThread(String threadId, boolean mentioned) {
        if (!stickyThreads || threadId == null) {
            return false;
        }
        if (mentioned) {
            sticky.remember(threadId);
            return true;
        }
        return sticky.contains(threadId);
    }

    /**
     * The raw text (Discord markdown kept) without the bot's own mention, which only addressed it; other
     * people's mentions become {@code @name}, which the agent can read.
     */
    static String textOf(Message message, User self) {
        String text = message.getContentRaw();
        text = text.replace("<@" + self.getId() + ">", "").replace("<@!" + self.getId() + ">", "");
        for (User u : message.getMentions().getUsers()) {
            if (u.getIdLong() != self.getIdLong()) {
                String name = "@" + u.getEffectiveName();
                text = text.replace("<@" + u.getId() + ">", name).replace("<@!" + u.getId() + ">", name);
            }
        }
        return text.strip().replaceAll("[ \\t]{2,}", " ");
    }
}
