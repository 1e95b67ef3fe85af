package dev.heartbeat.bench.scale;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM on this harness's class path. It reads commands from its stdin and exits when that
 * pipe closes, so it never outlives the harness, even one killed with SIGKILL; {@link #close()}
 * (and a shutdown hook for every child still running) ends it by its own PID.
 */
final class Child implements AutoCloseable {

    private static final List<Child> RUNNING = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Child c : RUNNING) {
                c.process.destroyForcibly();
            }
        }, "children-reaper"));
    }

    final Process process;
    private final BufferedReader out;
    private final OutputStream in;

    private Child(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = process.getOutputStream();
        RUNNING.add(this);
    }

    /** Starts {@code main} in a new JVM with {@code jvmArgs}; its stderr goes to {@code log}. */
    static Child start(Class<?> main, List<String> jvmArgs, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new Child(pb.start());
    }

    long pid() {
        return process.pid();
    }

    /** The next line the child printed, or null at its end. */
    String readLine() throws IOException {
        return out.readLine();
    }

    /** Reads lines until one starts with {@code prefix}; fails at the child's end. */
    String await(String prefix) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IOException("child " + pid() + " ended before printing " + prefix);
    }

    void send(String command) throws IOException {
        in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Sends a signal to the child by its PID (SIGSTOP, SIGCONT, SIGKILL). */
    void signal(String sig) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid())).inheritIO().start();
        if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("kill -" + sig + " " + pid() + " failed");
        }
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close(); // the child exits when its stdin ends
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly(); // SIGKILL by PID: a stopped child ignores its closed pipe
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        RUNNING.remove(this);
    }

    /** In a child: a daemon thread that exits the JVM when stdin ends, and hands other lines to {@code commands}. */
    static void exitWhenParentGoes(java.util.function.Consumer<String> commands) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    commands.accept(line.trim());
                }
            } catch (IOException e) {
                // parent gone
            }
            Runtime.getRuntime().halt(0);
        }, "parent-watch");
        t.setDaemon(true);
        t.start();
    }

    static Path tempLog(String name) throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "heartbeat-bench");
        Files.createDirectories(dir);
        return dir.resolve(name + "-" + ProcessHandle.current().pid() + ".log");
    }
}
