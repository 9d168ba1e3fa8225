package dev.claw4j.core.task;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * When a task fires: a cron expression in a time zone (Unix five fields, or Quartz six or seven with seconds), a
 * fixed interval, or one single time. Times are whole seconds; wall-clock times follow the zone's daylight-saving
 * rules (a 02:30 that does not exist on the spring-forward day fires right after the gap, at 03:30; one that
 * exists twice in autumn fires once, at the first).
 */
public sealed interface Schedule {
    Duration MIN_INTERVAL = Duration.ofSeconds(1);

    /** The first fire strictly after {@code after}; empty when there is none (a single time in the past). */
    Optional<Instant> nextAfter(Instant after);

    /** The column values that store it: kind, expression, zone (null when it has none). */
    String kind();

    String expression();

    String zone();

    /** For people: "cron 0 9 * * * (Europe/Berlin)", "every 1h", "once at 2026-12-01T09:00:00Z". */
    String describe();

    record Cron(String expression, ZoneId zoneId, CronType syntax, ExecutionTime execution) implements Schedule {
        @Override
        public Optional<Instant> nextAfter(Instant after) {
            // the expression is matched against the wall clock, then placed in the zone: a time the spring change
            // skips fires right after the gap (as cron does) instead of being lost for the day, and a time the
            // autumn change repeats fires once, at its first occurrence
            java.time.LocalDateTime local = after.atZone(zoneId).toLocalDateTime();
            Optional<ZonedDateTime> next = execution.nextExecution(local.atZone(java.time.ZoneOffset.UTC));
            if (next.isEmpty()) {
                return Optional.empty();
            }
            ZonedDateTime placed = ZonedDateTime.ofLocal(next.get().toLocalDateTime(), zoneId, null);
            if (!placed.toInstant().isAfter(after)) {
                placed = placed.withLaterOffsetAtOverlap();
            }
            return Optional.of(placed.toInstant().truncatedTo(ChronoUnit.SECONDS));
        }

        @Override
        public String kind() {
            return "cron";
        }

        @Override
        public String zone() {
            return zoneId.getId();
        }

        @Override
        public String describe() {
            return "cron " + expression + " (" + zoneId.getId() + ")";
        }
    }

    record Every(Duration interval, Instant anchor) implements Schedule {
        @Override
        public Optional<Instant> nextAfter(Instant after) {
            if (after.isBefore(anchor)) {
                return Optional.of(anchor);
            }
            long n = Duration.between(anchor, after).toMillis() / interval.toMillis() + 1;
            return Optional.of(anchor.plus(interval.multipliedBy(n)));
        }

        @Override
        public String kind() {
            return "every";
        }

        @Override
        public String expression() {
            return interval.toSeconds() + "s@" + anchor.getEpochSecond();
        }

        @Override
        public String zone() {
            return null;
        }

        @Override
        public String describe() {
            return "every " + Tasks.human(interval);
        }
    }

    record Once(Instant at) implements Schedule {
        @Override
        public Optional<Instant> nextAfter(Instant after) {
            return at.isAfter(after) ? Optional.of(at) : Optional.empty();
        }

        @Override
        public String kind() {
            return "once";
        }

        @Override
        public String expression() {
            return at.toString();
        }

        @Override
        public String zone() {
            return null;
        }

        @Override
        public String describe() {
            return "once at " + at;
        }
    }

    /**
     * A cron expression: five fields are Unix syntax, six or seven Quartz (seconds first). Throws
     * {@link IllegalArgumentException} saying what is wrong.
     */
    static Cron cron(String expression, String zone) {
        String expr = expression == null ? "" : expression.strip().replaceAll("\\s+", " ");
        ZoneId zoneId = zone(zone);
        int fields = expr.isEmpty() ? 0 : expr.split(" ").length;
        CronType syntax = switch (fields) {
            case 5 -> CronType.UNIX;
            case 6, 7 -> CronType.QUARTZ;
            default -> throw new IllegalArgumentException("cron expression '" + expr + "' has " + fields
                    + " fields; use five (Unix: minute hour day-of-month month day-of-week, as in \"0 9 * * *\") "
                    + "or six/seven (Quartz, seconds first, as in \"0 0 9 * * ?\")");
        };
        com.cronutils.model.Cron parsed;
        try {
            parsed = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(syntax)).parse(expr);
            parsed.validate();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cron expression '" + expr + "' is not valid " + syntax.name()
                    + " syntax: " + e.getMessage());
        }
        return new Cron(expr, zoneId, syntax, ExecutionTime.forCron(parsed));
    }

    /** An interval: {@code 90s}, {@code 15m}, {@code 2h}, {@code 1d} or ISO-8601 ({@code PT15M}). */
    static Every every(String interval, Instant anchor) {
        Duration d = duration(interval);
        if (d.compareTo(MIN_INTERVAL) < 0) {
            throw new IllegalArgumentException("interval '" + interval + "' must be at least 1 second");
        }
        return new Every(d, anchor.truncatedTo(ChronoUnit.SECONDS));
    }

    /** A single time: ISO-8601 with offset or Z, or a local date-time read in {@code zone}. */
    static Once once(String at, String zone) {
        String s = at == null ? "" : at.strip();
        try {
            return new Once(Instant.parse(s).truncatedTo(ChronoUnit.SECONDS));
        } catch (DateTimeParseException e) {
            // not an instant: try with an offset, then as local time in the zone
        }
        try {
            return new Once(java.time.OffsetDateTime.parse(s).toInstant().truncatedTo(ChronoUnit.SECONDS));
        } catch (DateTimeParseException e) {
            // local time
        }
        try {
            return new Once(java.time.LocalDateTime.parse(s).atZone(zone(zone)).toInstant()
                    .truncatedTo(ChronoUnit.SECONDS));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("time '" + s + "' is not ISO-8601; write it as 2026-12-24T09:00 "
                    + "(in the task's time zone) or 2026-12-24T09:00:00Z");
        }
    }

    /** Reads a stored schedule back. */
    static Schedule stored(String kind, String expression, String zone) {
        return switch (kind) {
            case "cron" -> cron(expression, zone);
            case "every" -> {
                int at = expression.indexOf("s@");
                yield new Every(Duration.ofSeconds(Long.parseLong(expression.substring(0, at))),
                        Instant.ofEpochSecond(Long.parseLong(expression.substring(at + 2))));
            }
            case "once" -> new Once(Instant.parse(expression));
            default -> throw new IllegalArgumentException("unknown schedule kind '" + kind + "' in the database");
        };
    }

    static ZoneId zone(String zone) {
        if (zone == null || zone.isBlank()) {
            return java.time.ZoneOffset.UTC;
        }
        try {
            return ZoneId.of(zone.strip());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("time zone '" + zone + "' is unknown; use a region name such as "
                    + "Europe/Berlin or America/New_York, or UTC");
        }
    }

    static Duration duration(String text) {
        String s = text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                return Duration.parse(s.toUpperCase(java.util.Locale.ROOT));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            return switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("interval '" + text + "' is not understood; write it as 90s, 15m, "
                    + "2h or 1d");
        }
    }

    /** The shortest gap between the next few fires after {@code from}: how often the task would wake the model. */
    static Duration shortestGap(Schedule s, Instant from) {
        if (s instanceof Every e) {
            return e.interval();
        }
        if (s instanceof Once) {
            return ChronoUnit.FOREVER.getDuration();
        }
        Duration shortest = ChronoUnit.FOREVER.getDuration();
        Instant prev = s.nextAfter(from).orElse(null);
        for (int i = 0; i < 48 && prev != null; i++) {
            Instant next = s.nextAfter(prev).orElse(null);
            if (next != null && Duration.between(prev, next).compareTo(shortest) < 0) {
                shortest = Duration.between(prev, next);
            }
            prev = next;
        }
        return shortest;
    }
}
