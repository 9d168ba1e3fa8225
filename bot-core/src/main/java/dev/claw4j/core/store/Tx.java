package dev.claw4j.core.store;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One connection, in a transaction or not (see {@link Jdbc}), with the few statement shapes the repositories use.
 * Parameters are bound by their Java type: String, Long, Integer, Boolean, BigDecimal, Instant (as a timestamp),
 * an enum (its name), or {@link #nullOf(int)} for a typed SQL NULL; a plain {@code null} is a NULL string.
 */
public final class Tx {
    static final String UNIQUE_VIOLATION = "23505";

    /** Reads one row into a value. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** A SQL NULL of a given {@link Types} type (PostgreSQL wants the type of a NULL parameter). */
    public record SqlNull(int type) {}

    private final Connection connection;

    Tx(Connection connection) {
        this.connection = connection;
    }

    public static SqlNull nullOf(int sqlType) {
        return new SqlNull(sqlType);
    }

    /** The value, or a SQL NULL of the given {@link Types} type when it is null. */
    public static Object orNull(Object value, int sqlType) {
        return value == null ? nullOf(sqlType) : value;
    }

    /** For the rare statement the helpers below do not cover. */
    public Connection connection() {
        return connection;
    }

    /** INSERT, UPDATE or DELETE; how many rows it changed. */
    public int update(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    /**
     * An INSERT into a table with a generated id; that id. The key column is named: with RETURN_GENERATED_KEYS
     * PostgreSQL's driver returns every column of the row (RETURNING *), H2 only the identity column.
     */
    public long insert(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql, new String[] {"id"})) {
            bind(ps, args);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /**
     * One statement run for each row of arguments, as one batch; nothing when there are no rows. How many rows each
     * one changed, in the order given.
     */
    public int[] batch(String sql, List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) {
            return new int[0];
        }
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (Object[] row : rows) {
                bind(ps, row);
                ps.addBatch();
            }
            return ps.executeBatch();
        }
    }

    public <T> List<T> list(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        }
    }

    /** The first row, if there is one. The mapper may not return null (use {@link #one} for nullable columns). */
    public <T> Optional<T> optional(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
            }
        }
    }

    /** The one row a query always returns (an aggregate); the mapper may return null. */
    public <T> T one(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the query returned no row where one was expected: " + sql);
                }
                return mapper.map(rs);
            }
        }
    }

    private static void bind(PreparedStatement ps, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            int at = i + 1;
            switch (args[i]) {
                case null -> ps.setString(at, null);
                case String s -> ps.setString(at, s);
                case Long l -> ps.setLong(at, l);
                case Integer n -> ps.setInt(at, n);
                case Boolean b -> ps.setBoolean(at, b);
                case BigDecimal d -> ps.setBigDecimal(at, d);
                case Instant t -> ps.setTimestamp(at, Timestamp.from(t));
                case Timestamp t -> ps.setTimestamp(at, t);
                case Enum<?> e -> ps.setString(at, e.name());
                case SqlNull n -> ps.setNull(at, n.type());
                default -> throw new IllegalArgumentException("cannot bind a " + args[i].getClass().getName()
                        + " to a SQL parameter; convert it to one of the types Tx.bind lists");
            }
        }
    }

    /** A timestamp column as an Instant, or null. */
    public static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
