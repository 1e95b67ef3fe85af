package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.engine.HeartbeatResponder.Outcome;
import dev.heartbeat.protocol.AuthResult;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.protocol.FrameTooLargeException;
import dev.heartbeat.protocol.FrameType;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.auth.HmacKeyRing;
import dev.heartbeat.protocol.auth.HmacSha256Authenticator;
import dev.heartbeat.testing.ManualTicker;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The responder's maximum length and its authentication hooks. */
class HeartbeatResponderSeamsTest {

    static final byte[] SECRET = new byte[32];
    static final byte[] OTHER = new byte[32];

    static {
        for (int i = 0; i < 32; i++) {
            SECRET[i] = (byte) i;
            OTHER[i] = (byte) (0x80 + i);
        }
    }

    static final HmacSha256Authenticator AUTH = HmacSha256Authenticator.of(HmacKeyRing.of(1, SECRET));

    /** 16 custom metrics with 32-byte names and a 16-byte node id: a 743-byte PONG. */
    static LoadReport bigLoad() {
        LoadReport.Builder b = LoadReport.builder();
        for (int i = 0; i < LoadReport.MAX_CUSTOM_METRICS; i++) {
            b.custom(String.format("metric.%025d", i), i);
        }
        return b.build();
    }

    static HeartbeatResponder.Builder responder(LoadReport load) {
        return HeartbeatResponder.builder().nodeId("orders-eu-west-3").epoch(42).ticker(new ManualTicker(5_000))
                .loadProvider(() -> load);
    }

    static ByteBuffer ping(HmacSha256Authenticator sealer) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        FrameCodec.encode(new Frame().ping(7, 99, 1234, "monitor", 200), b, sealer);
        return b.flip();
    }

    // --- maxLength ----------------------------------------------------------------------

    @Test
    void aPongOverMaxLengthIsRefusedWithItsSizeAndTheCapAndNothingIsWritten() throws FrameDecodeException {
        HeartbeatResponder r = responder(bigLoad()).build();
        int pongLength = 71 + 16 + 16 * (9 + 32);
        ByteBuffer reply = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        Frame scratch = new Frame();
        assertThatThrownBy(() -> r.respond(ping(null), reply, scratch, 508))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
                    assertThat(e.frameType()).isEqualTo(FrameType.PONG);
                    assertThat(e.length()).isEqualTo(pongLength);
                    assertThat(e.maxLength()).isEqualTo(508);
                })
                .hasMessage("PONG : " + pongLength + " bytes (expected: <= maxLength 508)");
        assertThat(reply.position()).isZero();
        assertThat(reply.array()).containsOnly(0);
        assertThat(r.answered()).isZero();

        assertThat(r.respond(ping(null), reply, scratch, pongLength)).isEqualTo(Outcome.ANSWERED);
        assertThat(reply.position()).isEqualTo(pongLength);
        assertThatThrownBy(() -> r.respond(ping(null), ByteBuffer.allocate(1024), new Frame(), pongLength - 1))
                .isInstanceOf(FrameTooLargeException.class);
    }

    @Test
    void theTrailerCountsTowardsMaxLength() throws FrameDecodeException {
        HeartbeatResponder r = responder(LoadReport.UNKNOWN).sealer(AUTH).build();
        int sealed = 71 + 16 + 18; // 105, as the pong-hmac vector
        assertThatThrownBy(() -> r.respond(ping(null), ByteBuffer.allocate(1024), new Frame(), sealed - 1))
                .hasMessage("PONG : 105 bytes (expected: <= maxLength 104)");
        ByteBuffer reply = ByteBuffer.allocate(1024);
        assertThat(r.respond(ping(null), reply, new Frame(), sealed)).isEqualTo(Outcome.ANSWERED);
        assertThat(reply.position()).isEqualTo(sealed);
    }

    @Test
    void maxLengthOutsideTheFrameLimitsIsRefused() {
        HeartbeatResponder r = responder(LoadReport.UNKNOWN).build();
        for (int bad : new int[] {-1, 0, 35, 1025, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> r.respond(ping(null), ByteBuffer.allocate(1024), new Frame(), bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxLength : " + bad + " (expected: 36..1024)");
        }
    }

    @Test
    void theOldRespondKeepsWorkingAndNonPingsAreIgnored() throws FrameDecodeException {
        HeartbeatResponder r = responder(bigLoad()).build();
        ByteBuffer reply = ByteBuffer.allocate(1024);
        assertThat(r.respond(ping(null), reply, new Frame())).isTrue();
        assertThat(reply.position()).isEqualTo(743);

        ByteBuffer pong = reply.flip();
        ByteBuffer out = ByteBuffer.allocate(1024);
        assertThat(r.respond(pong.duplicate(), out, new Frame(), 508)).isEqualTo(Outcome.IGNORED);
        assertThat(r.respond(pong.duplicate(), out, new Frame())).isFalse();
        assertThat(out.position()).isZero();
        assertThatThrownBy(() -> r.respond(ByteBuffer.wrap(new byte[] {1, 2, 3}), out, new Frame(), 508))
                .isInstanceOf(FrameDecodeException.class).hasMessageStartingWith("BAD_MAGIC");
    }

    // --- authentication -------------------------------------------------------------------

    @Test
    void withAVerifierOnlyPingsThatVerifyAreAnsweredAndTheOthersAreCountedByReason() throws Exception {
        HeartbeatResponder r = responder(LoadReport.UNKNOWN).sealer(AUTH).verifier(AUTH).build();
        assertThat(r.sealer()).isSameAs(AUTH);
        assertThat(r.verifier()).isSameAs(AUTH);
        HmacSha256Authenticator wrongKeyId = HmacSha256Authenticator.of(HmacKeyRing.of(2, SECRET));
        HmacSha256Authenticator wrongSecret = HmacSha256Authenticator.of(HmacKeyRing.of(1, OTHER));
        HmacSha256Authenticator longTag = HmacSha256Authenticator.builder().keyRing(HmacKeyRing.of(1, SECRET))
                .tagLength(32).build();
        Object[][] cases = {
            {null, Outcome.REJECTED_MISSING},
            {wrongKeyId, Outcome.REJECTED_UNKNOWN_KEY},
            {wrongSecret, Outcome.REJECTED_BAD_TAG},
            {longTag, Outcome.REJECTED_BAD_TAG_LENGTH},
        };
        int rejected = 0;
        for (Object[] c : cases) {
            ByteBuffer reply = ByteBuffer.allocate(1024);
            Frame scratch = new Frame();
            Outcome o = r.respond(ping((HmacSha256Authenticator) c[0]), reply, scratch, 508);
            assertThat(o).isEqualTo(c[1]);
            assertThat(o.rejectedBecause()).isNotNull().isNotEqualTo(AuthResult.OK);
            assertThat(reply.position()).as("nothing written for " + o).isZero();
            assertThat(scratch.type()).as("scratch holds the refused PING").isEqualTo(FrameType.PING);
            assertThat(r.rejected()).isEqualTo(++rejected);
            assertThat(r.respond(ping((HmacSha256Authenticator) c[0]), reply, scratch)).isFalse();
            rejected++;
        }
        assertThat(r.answered()).isZero();

        ByteBuffer reply = ByteBuffer.allocate(1024);
        Frame scratch = new Frame();
        assertThat(r.respond(ping(AUTH), reply, scratch, 508)).isEqualTo(Outcome.ANSWERED);
        assertThat(Outcome.ANSWERED.rejectedBecause()).isNull();
        assertThat(r.answered()).isEqualTo(1);
        assertThat(scratch.intervalMillis()).as("the PING's interval, for eviction").isEqualTo(200);
        assertThat(scratch.authKeyId()).as("scratch describes the sealed PONG").isEqualTo(1);

        // the monitor's side: decode, then verify with its own authenticator
        reply.flip();
        Frame pong = new Frame();
        FrameCodec.decode(reply, pong);
        assertThat(pong.type()).isEqualTo(FrameType.PONG);
        assertThat(pong.echoSequence()).isEqualTo(99);
        assertThat(AUTH.verify(reply, 0, pong)).isEqualTo(AuthResult.OK);
        assertThat(wrongSecret.verify(reply, 0, pong)).isEqualTo(AuthResult.BAD_TAG);
    }

    @Test
    void aTamperedPingIsNotAnswered() throws FrameDecodeException {
        HeartbeatResponder r = responder(LoadReport.UNKNOWN).verifier(AUTH).build();
        ByteBuffer good = ping(AUTH);
        byte[] bytes = Arrays.copyOf(good.array(), good.remaining());
        bytes[36] ^= 1; // the PING's interval: still a valid frame
        ByteBuffer reply = ByteBuffer.allocate(1024);
        assertThat(r.respond(ByteBuffer.wrap(bytes), reply, new Frame(), 508)).isEqualTo(Outcome.REJECTED_BAD_TAG);
        assertThat(reply.position()).isZero();
    }

    @Test
    void withoutAVerifierASealedPingIsAnsweredAndWithoutASealerThePongIsPlain() throws FrameDecodeException {
        HeartbeatResponder r = responder(LoadReport.UNKNOWN).build();
        assertThat(r.sealer()).isNull();
        assertThat(r.verifier()).isNull();
        ByteBuffer reply = ByteBuffer.allocate(1024);
        assertThat(r.respond(ping(AUTH), reply, new Frame(), 508)).isEqualTo(Outcome.ANSWERED);
        reply.flip();
        Frame pong = new Frame();
        FrameCodec.decode(reply, pong);
        assertThat(pong.flags()).isZero();
        assertThat(AUTH.verify(reply, 0, pong)).isEqualTo(AuthResult.MISSING);
    }

    @Test
    void goodbyeIsSealedWithTheSealer() throws FrameDecodeException {
        HeartbeatResponder r = responder(LoadReport.UNKNOWN).sealer(AUTH).build();
        ByteBuffer out = ByteBuffer.allocate(1024);
        r.goodbye(out, new Frame(), Duration.ofSeconds(30));
        out.flip();
        Frame bye = new Frame();
        FrameCodec.decode(out, bye);
        assertThat(bye.type()).isEqualTo(FrameType.GOODBYE);
        assertThat(bye.comeBackAfterMillis()).isEqualTo(30_000);
        assertThat(AUTH.verify(out, 0, bye)).isEqualTo(AuthResult.OK);
    }

    @Test
    void everyRefusalOfTheVerifierHasItsOwnOutcome() {
        Set<AuthResult> covered = EnumSet.noneOf(AuthResult.class);
        for (Outcome o : Outcome.values()) {
            if (o.rejectedBecause() != null) {
                assertThat(covered.add(o.rejectedBecause())).isTrue();
                assertThat(o.name()).isEqualTo("REJECTED_" + o.rejectedBecause().name());
            }
        }
        assertThat(covered).isEqualTo(EnumSet.complementOf(EnumSet.of(AuthResult.OK)));
    }

    @Test
    void builderRefusesMissingHooks() {
        assertThatThrownBy(() -> HeartbeatResponder.builder().sealer(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("sealer");
        assertThatThrownBy(() -> HeartbeatResponder.builder().verifier(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("verifier");
    }
}
