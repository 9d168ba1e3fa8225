package dev.claw4j.slack;

import com.slack.api.util.http.listener.HttpResponseListener;

/**
 * The last 2xx Web API answer read on this thread: its status and body. The SDK runs its calls synchronously
 * on the caller's thread and calls this listener even when it then fails to parse the answer, so after a call
 * that threw, {@link #accepted()} tells "Slack answered, we could not read it" from "never got there".
 */
final class AnswerStatus extends HttpResponseListener {
    /** What Slack answered: the HTTP status and the body as received. */
    record Answer(int status, String body) {}

    private final ThreadLocal<Answer> last = new ThreadLocal<>();

    @Override
    public void accept(State state) {
        last.set(new Answer(state.getResponse().code(), state.getParsedResponseBody()));
    }

    /** Forget the last answer: call before each call whose outcome is asked afterwards. */
    void clear() {
        last.remove();
    }

    /** The last answer on this thread, or null when none came since {@link #clear()}. */
    Answer last() {
        return last.get();
    }

    /** The last call on this thread was answered 2xx. */
    boolean accepted() {
        Answer a = last.get();
        return a != null && a.status() >= 200 && a.status() < 300;
    }
}
