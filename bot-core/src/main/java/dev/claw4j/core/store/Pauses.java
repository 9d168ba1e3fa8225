package dev.claw4j.core.store;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** Groups the operator paused in the console, and which chats were told so during the pause. */
public final class Pauses {
    private final Jdbc jdbc;

    Pauses(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Pauses a group; false when it was paused already. */
    public boolean pause(String groupId, String by) {
        return jdbc.run("pausing " + groupId, tx -> insertOnce(tx,
                "INSERT INTO group_pauses (group_id, paused_at, paused_by) VALUES (?, ?, ?)", groupId, Instant.now(), by));
    }

    /**
     * Resumes a group: in one transaction the pause and its notices go, and the messages it held become PENDING.
     * Returns how many messages it held, or -1 when the group was not paused.
     */
    public int resume(String groupId) {
        return jdbc.inTransaction("resuming " + groupId, tx -> {
            if (tx.update("DELETE FROM group_pauses WHERE group_id = ?", groupId) == 0) {
                return -1;
            }
            tx.update("DELETE FROM pause_notices WHERE group_id = ?", groupId);
            return tx.update("UPDATE messages SET status = ?, updated_at = ? "
                    + "WHERE group_id = ? AND direction = 'in' AND status = ?",
                    MessageStatus.PAUSED.requireMoveTo(MessageStatus.PENDING), Instant.now(), groupId,
                    MessageStatus.PAUSED);
        });
    }

    public List<String> pausedGroups() {
        return jdbc.run("listing paused groups", tx -> tx.list("SELECT group_id FROM group_pauses ORDER BY group_id",
                rs -> rs.getString(1)));
    }

    /** True the first time a chat is to be told, during this pause of its group, that the agent is paused. */
    public boolean pauseNoticeOnce(String groupId, String platform, String chatId) {
        return jdbc.run("noting a pause notice", tx -> insertOnce(tx,
                "INSERT INTO pause_notices (group_id, platform, chat_id) VALUES (?, ?, ?)", groupId, platform, chatId));
    }

    /** True when the row went in, false when it was there already. */
    private static boolean insertOnce(Tx tx, String sql, Object... args) throws SQLException {
        try {
            tx.update(sql, args);
            return true;
        } catch (SQLException e) {
            if (Jdbc.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }
}
