package dev.claw4j.core.store;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The one place that opens connections and runs transactions, for every repository over the host's database.
 * Work receives a {@link Tx}; a repository method that must share a commit with another concern takes the
 * caller's {@code Tx} instead of opening its own, so "an inbound message and its cursor" stays one commit.
 */
public final class Jdbc {
    /** Work over one connection; SQLException is turned into a {@link StoreException} naming {@code what}. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Tx tx) throws SQLException;
    }

    private final DataSource dataSource;

    public Jdbc(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Runs work on a connection in auto-commit mode: each statement commits on its own. */
    public <T> T run(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(new Tx(c));
        } catch (SQLException e) {
            throw new StoreException(what, e);
        }
    }

    /** Runs work in one transaction: all of it commits, or (on any exception) none of it. */
    public <T> T inTransaction(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(new Tx(c));
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(what, e);
        }
    }

    /** True when the store failed on a unique constraint: the row was there already (another writer won). */
    public static boolean isUniqueViolation(StoreException e) {
        return e.getCause() instanceof SQLException sql && isUniqueViolation(sql);
    }

    public static boolean isUniqueViolation(SQLException e) {
        return Tx.UNIQUE_VIOLATION.equals(e.getSQLState());
    }
}
