package dev.heartbeat.failover;

import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerAttributes;
import dev.heartbeat.testing.ManualTicker;
import java.time.Duration;

/** The virtual-time {@link Rig}, opened to the adapter tests of other packages. */
public final class RigAccess implements AutoCloseable {

    private final Rig rig = new Rig();

    public Peer peer(String name) {
        return rig.peer(name);
    }

    public Peer peer(String name, PeerAttributes attributes) {
        return rig.peer(name, attributes);
    }

    public void runMillis(long ms) {
        rig.runMillis(ms);
    }

    /** Kills a peer's responder; returns once the monitor has seen it. */
    public void crash(String name) {
        rig.endpoint(name).crash();
        rig.runMillis(50);
    }

    /** Restarts a crashed peer's responder (same process identity) and lets heartbeats resume. */
    public void restart(String name) {
        rig.endpoint(name).restart(rig.endpoint(name).responder());
        rig.runMillis(500);
    }

    public ManualTicker ticker() {
        return rig.ticker;
    }

    /** A router builder on the rig's time, seeded. */
    public <C> FailoverRouter.Builder<C> router(PeerClients<C> clients) {
        return FailoverRouter.builder(rig.monitor, clients).ticker(rig.ticker).samples(rig.samples)
                .random(new java.util.Random(11));
    }

    public void advance(Duration d) {
        rig.run(d);
    }

    @Override
    public void close() {
        rig.close();
    }
}
