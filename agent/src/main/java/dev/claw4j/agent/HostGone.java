package dev.claw4j.agent;

/**
 * The host asked us to stop ({@code shutdown}) or closed stdin. It unwinds whatever the agent is doing,
 * back to {@link Agent#run()}, which then returns: there is no one left to answer.
 */
final class HostGone extends RuntimeException {
    HostGone(String why) {
        super(why);
    }
}
