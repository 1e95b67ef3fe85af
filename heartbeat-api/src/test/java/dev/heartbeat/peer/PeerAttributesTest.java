package dev.heartbeat.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerAttributesTest {

    @Test
    void attributesWithNothingSetAreTheSharedNoneInstance() {
        assertThat(PeerAttributes.builder().build()).isSameAs(PeerAttributes.none());
        assertThat(PeerAttributes.builder().weight(PeerAttributes.DEFAULT_WEIGHT).metadata(Map.of()).build())
                .isSameAs(PeerAttributes.none());
        assertThat(PeerAttributes.none().metadata()).isEmpty();
        assertThat(PeerAttributes.none().weight()).isEqualTo(PeerAttributes.DEFAULT_WEIGHT);
        assertThat(PeerAttributes.builder().weight(7).build()).isNotSameAs(PeerAttributes.none())
                .isNotEqualTo(PeerAttributes.none());
        assertThat(PeerAttributes.builder().zone("z").build().metadata()).isEmpty();
    }

    @Test
    void metadataKeepsItsOrderAndCannotBeChanged() {
        PeerAttributes one = PeerAttributes.builder().metadata("version", "4.2").build();
        assertThat(one.metadata()).containsExactly(Map.entry("version", "4.2"));
        assertThatThrownBy(() -> one.metadata().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);

        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 9; i >= 0; i--) {
            many.put("k" + i, "v" + i);
        }
        PeerAttributes ten = PeerAttributes.builder().metadata(many).build();
        assertThat(ten.metadata()).containsExactlyEntriesOf(many);
        assertThatThrownBy(() -> ten.metadata().remove("k1")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(ten).isEqualTo(PeerAttributes.builder().metadata(many).build());
        assertThat(ten.toString()).contains("metadata={k9=v9, k8=v8");
        assertThat(one).isEqualTo(PeerAttributes.builder().metadata("version", "4.2").build())
                .hasSameHashCodeAs(PeerAttributes.builder().metadata("version", "4.2").build());
    }
}
