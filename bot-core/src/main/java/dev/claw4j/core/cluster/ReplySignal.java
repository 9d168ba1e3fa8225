package dev.claw4j.core.cluster;

/**
 * Tells every host that a reply was delivered, so each shows it to the people connected to it (the web chat's open
 * pages may be on any host, while the reply is delivered by the host that holds its group). Only ids travel: each
 * host reads the stored reply by its id, never text out of a signal.
 */
public interface ReplySignal {
    /** Told the platform, chat and reply (outbox) id of a reply some host (this one too) delivered. */
    interface Listener {
        void delivered(String platform, String chatId, long replyId);
    }

    /**
     * Tells every host, this one included, that the reply was delivered. False when the signal could not go out: then
     * no host hears it, and the caller shows the reply to its own people itself.
     */
    boolean delivered(String platform, String chatId, long replyId);

    /** Listens for every host's delivered replies (on the signal's thread: hand slow work to your own). */
    void onDelivered(Listener listener);
}
