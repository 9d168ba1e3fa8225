package dev.claw4j.core.turn;

/** The system prompt of a turn: who the agent is, where it works, and its memory. */
final class Instructions {
    private Instructions() {}

    static String build(String botName, String platform, String memory, String sharedMemory) {
        StringBuilder s = new StringBuilder();
        s.append("You are ").append(botName).append(", an assistant people talk to in a chat (").append(platform)
                .append("). Each message you receive starts with the sender's name.\n\n")
                .append("You work inside your own sandbox: a Linux machine without network access. /workspace/group is ")
                .append("your folder; what you save there stays between conversations. /workspace/global holds shared ")
                .append("material, read-only. Use your tools to do real work there, then answer.\n\n")
                .append("Your memory file is /workspace/group/AGENT.md. Keep lasting notes there (facts about the ")
                .append("people you help, their preferences, ongoing work); it is shown to you at the start of every turn.\n\n")
                .append("Answer in chat style: short and clear. Markdown is fine.\n");
        if (!memory.isBlank()) {
            s.append("\n## Your memory (/workspace/group/AGENT.md)\n\n").append(memory.strip()).append('\n');
        }
        if (!sharedMemory.isBlank()) {
            s.append("\n## Shared memory (/workspace/global/AGENT.md, read-only)\n\n").append(sharedMemory.strip())
                    .append('\n');
        }
        return s.toString();
    }
}
