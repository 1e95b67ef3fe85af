package dev.heartbeat.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine;

/** Test helpers: run the CLI in-process and capture its output; start {@code serve} children. */
final class Cli implements AutoCloseable {

    /** The result of one in-process run. */
    record Run(int exit, String out, String err) {
    }

    private final List<ChildResponder> children = new ArrayList<>();
    /** Every line the children printed (besides "listening on"), "name: line". */
    final List<String> childOutput = new CopyOnWriteArrayList<>();

    /** Runs {@code heartbeat args…} in this JVM. */
    static Run run(String... args) {
        return run(CommandLine.defaultFactory(), args);
    }

    /** Runs {@code heartbeat args…} in this JVM with commands made by {@code factory}. */
    static Run run(CommandLine.IFactory factory, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = HeartbeatCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), factory).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Makes {@code serve} commands that resolve {@code --host} with a fake resolver (no lookup leaves the machine). */
    static final class Factory implements CommandLine.IFactory {
        private final ServeCommand.HostResolver resolver;

        Factory(ServeCommand.HostResolver resolver) {
            this.resolver = resolver;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            K made = CommandLine.defaultFactory().create(cls);
            if (made instanceof ServeCommand) {
                ((ServeCommand) made).resolver = resolver;
            }
            return made;
        }
    }

    /** Starts {@code heartbeat serve --port 0 --node-id NAME extra…} in a child JVM and waits for its port. */
    ChildResponder serve(String name, String... extra) throws IOException, InterruptedException {
        ChildResponder c = ChildResponder.start(name, 0, line -> childOutput.add(name + ": " + line), extra);
        children.add(c);
        c.awaitPort(Duration.ofSeconds(30));
        return c;
    }

    /** The port a started child listens on. */
    static int port(ChildResponder c) throws IOException, InterruptedException {
        return c.awaitPort(Duration.ofSeconds(1));
    }

    /** A loopback port that nothing listens on (bound, then closed). */
    static int closedPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The command object picocli created for a subcommand (to stop a running monitor). */
    static <T> T command(CommandLine cl, String name) {
        return cl.getSubcommands().get(name).getCommand();
    }

    @Override
    public void close() {
        for (ChildResponder c : children) {
            c.close();
        }
    }
}
