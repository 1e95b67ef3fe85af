package dev.heartbeat.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code heartbeat serve} in a child JVM: the same {@code java} and class path as this process,
 * so it works from the shaded jar and from a test class path alike. Used by the demo and by the
 * tests. Owns its process and its pipes: {@link #close()} destroys it (SIGKILL), which also ends a
 * stopped one, and closes our ends of its stdin, stdout and stderr.
 *
 * <p>Thread-safe for the calls the demo makes (each one is a single process operation).
 */
public final class ChildResponder implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("^listening on (\\d+)\\b.*");

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final Thread pump;
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final long startedNanos = System.nanoTime();
    private volatile long listeningNanos;

    private ChildResponder(String name, Process process, Consumer<String> output) {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.pump = new Thread(() -> pump(output), "heartbeat-child-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts {@code heartbeat serve --port PORT --node-id NAME [extra…]} in a child JVM. Its
     * stdout and stderr lines, except the "listening on" line, go to {@code output}.
     */
    public static ChildResponder start(String name, int port, Consumer<String> output, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(javaCommand());
        cmd.add(HeartbeatCli.class.getName());
        cmd.add("serve");
        cmd.add("--port");
        cmd.add(Integer.toString(port));
        cmd.add("--node-id");
        cmd.add(name);
        cmd.add("--exit-with-parent"); // never outlive the demo or a test JVM, even one that crashed
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        return new ChildResponder(name, pb.start(), output);
    }

    /** {@code java [small-footprint flags] -cp <this class path>}. */
    static List<String> javaCommand() {
        Path java = Paths.get(System.getProperty("java.home"), "bin", isWindows() ? "java.exe" : "java");
        List<String> cmd = new ArrayList<>();
        cmd.add(Files.isExecutable(java) ? java.toString() : "java");
        // A responder needs little: start fast, stay small (three of them run beside the monitor).
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xss512k");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        return cmd;
    }

    static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    private void pump(Consumer<String> output) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                Matcher m = LISTENING.matcher(line);
                if (!port.isDone() && m.matches()) {
                    listeningNanos = System.nanoTime();
                    port.complete(Integer.parseInt(m.group(1)));
                } else if (output != null) {
                    output.accept(line);
                }
            }
        } catch (IOException e) {
            // the process went away
        } finally {
            port.completeExceptionally(new IOException(name + " exited before it was listening (exit code "
                    + (process.isAlive() ? "?" : Integer.toString(process.exitValue())) + ")"));
        }
    }

    /**
     * Waits until the child printed its port.
     *
     * @throws IOException when it exited first, or did not start within {@code timeout}
     */
    public int awaitPort(Duration timeout) throws IOException, InterruptedException {
        try {
            return port.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException(name + " did not print 'listening on PORT' within " + DurationConverter.format(timeout));
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    /** The process itself, for tests. */
    Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or -1 while it runs. */
    public int exitValue() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** {@link System#nanoTime()} when the process was started. */
    public long startedNanos() {
        return startedNanos;
    }

    /** {@link System#nanoTime()} when it printed "listening on", or 0. */
    public long listeningNanos() {
        return listeningNanos;
    }

    /** Writes one command line to its stdin ({@code status DRAINING}, {@code freeze}, {@code quit}). */
    public void command(String line) throws IOException {
        synchronized (stdin) {
            stdin.write(line);
            stdin.write('\n');
            stdin.flush();
        }
    }

    /** True when this platform can stop and continue a process with {@code kill -STOP/-CONT}. */
    public static boolean signalsAvailable() {
        if (isWindows()) {
            return false;
        }
        try {
            Process p = new ProcessBuilder("kill", "-0", Long.toString(ProcessHandle.current().pid()))
                    .redirectErrorStream(true).start();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Sends SIGSTOP: the process stops; its kernel keeps the connections up and ACKing. */
    public void stop() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** Sends SIGCONT. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String sig) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).redirectErrorStream(true).start();
        if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("kill -" + sig + " " + process.pid() + " failed");
        }
    }

    /**
     * SIGTERM: {@code serve} says GOODBYE, then exits. Sent through the process handle, because
     * {@link Process#destroy()} also closes our ends of its pipes and its last words would be lost.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** Waits for the process to exit; true when it did within {@code timeout}. */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** SIGKILL (the JDK's destroyForcibly): the kernel closes its sockets, peers see FIN or RST. */
    public void kill() {
        process.destroyForcibly();
    }

    /** Asks it to say GOODBYE and exit; waits up to {@code timeout}, then kills it. */
    public void quit(Duration timeout) throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        try {
            command("quit");
        } catch (IOException e) {
            // stdin closed: it is going away anyway
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
        }
    }

    /**
     * Kills the process if it is still running (works on a stopped process too), waits briefly, then
     * closes our ends of its stdin, stdout and stderr (after the output pump read what was left, when
     * it does so within half a second). Idempotent.
     */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(2, TimeUnit.SECONDS);
            }
            if (Thread.currentThread() != pump) {
                pump.join(500); // its last lines, if it has any left
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(stdin);
            closeQuietly(process.getOutputStream()); // in case the writer's last flush failed before it closed it
            closeQuietly(process.getInputStream());
            closeQuietly(process.getErrorStream());
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // the process is gone; a broken pipe on the last flush says nothing new
        }
    }
}
