package dev.claw4j.bench;

import dev.claw4j.core.store.Store;
import dev.claw4j.core.task.Scheduler;
import dev.claw4j.core.task.TaskStore;
import dev.claw4j.core.task.Tasks;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The scheduler with 10,000 stored tasks (H2 on disk, as claw4j runs): its CPU per minute at rest, when nothing is
 * due, and the delay from due to claimed when 500 runs come due at the same second. The queue is a recorder: this
 * measures the scheduler and its claims, not the turns.
 */
public final class SchedulerBench {
    public static void main(String[] args) throws Exception {
        int stored = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int burst = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        Duration rest = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 60);
        Path data = Files.createTempDirectory("claw4j-bench-scheduler-");
        try (Store store = Store.open(data)) {
            Tasks tasks = new Tasks(new TaskStore(store.dataSource()), Clock.systemUTC(), Tasks.Settings.DEFAULTS);
            int groups = 100;
            for (int g = 0; g < groups; g++) {
                store.groups().bindNewGroup("bench:" + g, "bench-" + g);
            }
            Random random = new Random(42);
            long start = System.nanoTime();
            for (int i = 0; i < stored; i++) {
                String group = "bench-" + (i % groups);
                Tasks.Origin origin = new Tasks.Origin(group, "web", "chat-" + group, null, "bench");
                // daily crons spread over the day in a few zones (none in the next two hours, so the rest below is
                // really at rest), and intervals of an hour or more
                String zone = List.of("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo").get(i % 4);
                int hour = (java.time.ZonedDateTime.now(java.time.ZoneId.of(zone)).getHour() + 2 + random.nextInt(21))
                        % 24;
                Tasks.Request r = i % 2 == 0
                        ? new Tasks.Request("task " + i, random.nextInt(60) + " " + hour + " * * *", zone, null, null,
                                null, null, null)
                        : new Tasks.Request("task " + i, null, null, (1 + random.nextInt(24)) + "h", null, null, null,
                                null);
                tasks.schedule(origin, r);
            }
            System.out.printf("stored %d tasks in %.1f s%n", stored, (System.nanoTime() - start) / 1e9);

            List<Long> submittedAt = new CopyOnWriteArrayList<>();
            Scheduler scheduler = new Scheduler(tasks, Clock.systemUTC(), group -> submittedAt.add(System.nanoTime()),
                    (group, kind, detail) -> { });
            // nothing may come due during the rest: the earliest task must be further away than the rest
            Instant earliest = tasks.store().earliestDue().orElseThrow();
            scheduler.start();
            Thread.sleep(500);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long schedulerThread = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("scheduler")).findFirst().orElseThrow().threadId();
            long cpu0 = threads.getThreadCpuTime(schedulerThread);
            long ticks0 = scheduler.ticks();
            Thread.sleep(rest.toMillis());
            long cpu = threads.getThreadCpuTime(schedulerThread) - cpu0;
            long ticks = scheduler.ticks() - ticks0;
            System.out.printf("at rest for %d s (earliest due %s): scheduler CPU %.3f ms per minute, %d wake-up(s)%n",
                    rest.toSeconds(), earliest, cpu / 1e6 * 60.0 / rest.toSeconds(), ticks);

            // a burst: this many single runs due at the same second, 3 s from now, spread over the groups
            Instant due = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS);
            for (int i = 0; i < burst; i++) {
                String group = "bench-" + (i % groups);
                tasks.schedule(new Tasks.Origin(group, "web", "chat-" + group, null, "bench"),
                        new Tasks.Request("burst " + i, null, null, null, due.toString(), null, null, null));
            }
            submittedAt.clear();
            long dueNanos = System.nanoTime() + Duration.between(Instant.now(), due).toNanos();
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (submittedAt.size() < burst && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            scheduler.close();
            List<Double> delays = new ArrayList<>();
            for (long at : submittedAt) {
                delays.add((at - dueNanos) / 1e6);
            }
            Collections.sort(delays);
            System.out.printf("burst of %d due at once: %d claimed; due -> claimed p50 %.0f ms, p99 %.0f ms, "
                    + "last %.0f ms%n", burst, delays.size(), pct(delays, 50), pct(delays, 99), delays.getLast());
        } finally {
            try (var walk = Files.walk(data)) {
                walk.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double pct(List<Double> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
