package dev.claw4j.core.store;

/**
 * The databases the store runs on. The SQL is written once for both; what must differ between them is decided
 * here and nowhere else.
 */
public enum Dialect {
    H2,
    POSTGRESQL;

    /** SQLSTATE of a unique or primary key violation: the same on both (SQL standard). */
    public static final String UNIQUE_VIOLATION = "23505";
}
