package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReasonsTest {

    @Test
    void aFirstAnswerWithAStatusIsOneSharedText() {
        String a = Reasons.join(Reasons.FIRST_HEARTBEAT, "status SERVING");
        assertThat(a).isEqualTo("first heartbeat; status SERVING");
        // Compared by value: a policy's own equal text joins to the same constant.
        assertThat(Reasons.join(Reasons.FIRST_HEARTBEAT, new String("status SERVING"))).isSameAs(a);
        assertThat(Reasons.join(Reasons.ANSWERING_FIRST_HEARTBEAT, "status DRAINING"))
                .isEqualTo("answering (first heartbeat); status DRAINING")
                .isSameAs(Reasons.join(Reasons.ANSWERING_FIRST_HEARTBEAT, "status DRAINING"));
        assertThat(Reasons.join(Reasons.FIRST_HEARTBEAT, "healthy")).isEqualTo("first heartbeat; healthy");
    }

    @Test
    void reasonsWithFiguresAreJoinedAsTheyCome() {
        assertThat(Reasons.join(Reasons.FIRST_HEARTBEAT, "cpu 0.97 > 0.90")).isEqualTo("first heartbeat; cpu 0.97 > 0.90");
        assertThat(Reasons.join("answering again after 5642 ms", "status SERVING"))
                .isEqualTo("answering again after 5642 ms; status SERVING");
    }
}
