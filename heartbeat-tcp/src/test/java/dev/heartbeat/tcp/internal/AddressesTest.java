package dev.heartbeat.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The socket address a link connects to for an IP literal. */
class AddressesTest {

    @Test
    void aLiteralsAddressIsNamedByTheSharedEmptyStringAndOtherwiseTheSame() {
        InetSocketAddress a = Addresses.literal("10.0.0.7", 7070);
        InetSocketAddress b = Addresses.literal("10.0.0.8", 7071);
        InetSocketAddress plain = new InetSocketAddress("10.0.0.7", 7070);
        assertThat(a).isEqualTo(plain).hasSameHashCodeAs(plain);
        assertThat(a.toString()).isEqualTo(plain.toString()).isEqualTo("/10.0.0.7:7070");
        assertThat(a.isUnresolved()).isFalse();
        assertThat(a.getHostString()).isEmpty();
        assertThat(a.getHostString()).as("one constant, not a copy per address").isSameAs(b.getHostString());
        assertThat(a.getHostName()).as("no reverse lookup").isEmpty();
    }

    @Test
    void ipv6LiteralsToo_andAScopeIsKept() {
        InetSocketAddress v6 = Addresses.literal("::1", 7070);
        assertThat(v6).isEqualTo(new InetSocketAddress("::1", 7070));
        assertThat(v6.toString()).isEqualTo(new InetSocketAddress("::1", 7070).toString());
        assertThat(v6.getHostString()).isEmpty();
        InetSocketAddress scoped = Addresses.literal("fe80::1%1", 7070);
        assertThat(((Inet6Address) scoped.getAddress()).getScopeId()).isEqualTo(1);
        assertThat(scoped).isEqualTo(new InetSocketAddress("fe80::1%1", 7070));
    }

    @Test
    void namesAreRefusedByName() {
        assertThatThrownBy(() -> Addresses.literal("orders.internal", 80))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'orders.internal'")
                .hasMessageContaining("literal");
    }

    /**
     * A scope that is no interface here, or an interface with no IPv6 scope id (lo has no
     * link-local address), cannot be made into an address: the literal is kept unresolved, as
     * before literals were named by "", and its connect fails — it must not throw.
     */
    @Test
    void aScopeThatIsNoInterfaceHereGivesAnUnresolvedAddressInsteadOfThrowing() {
        InetSocketAddress none = Addresses.literal("fe80::1%nosuchif0", 7);
        assertThat(none.isUnresolved()).isTrue();
        assertThat(none.getHostString()).isEqualTo("fe80::1%nosuchif0");
        assertThat(none.getPort()).isEqualTo(7);
        assertThat(none).isEqualTo(new InetSocketAddress("fe80::1%nosuchif0", 7));
        InetSocketAddress lo = Addresses.literal("fe80::1%lo", 7);
        assertThat(lo).isEqualTo(new InetSocketAddress("fe80::1%lo", 7));
    }
}
