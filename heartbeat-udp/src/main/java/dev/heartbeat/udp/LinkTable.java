package dev.heartbeat.udp;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The links of one socket by the remote address they talk to, for finding the link of each
 * received datagram. A chained hash table threaded through the links themselves
 * ({@link UdpLink#nextInSocket}): one field a link instead of a map node, and the same work per
 * lookup as a {@code HashMap} (the address's hash, one short chain, {@code equals}), allocating
 * nothing. A link's key is its {@link UdpLink#remote()}, which does not change while the link is
 * in a table (a link leaves its socket before it takes another address).
 *
 * <p>Not thread-safe: confined to the socket's event loop, like every link on it.
 */
final class LinkTable {

    private UdpLink[] table = new UdpLink[16];
    private int size;

    /** The link talking to {@code remote}, or null. */
    UdpLink get(InetSocketAddress remote) {
        UdpLink[] t = table;
        for (UdpLink l = t[index(remote.hashCode(), t.length)]; l != null; l = l.nextInSocket) {
            if (remote.equals(l.remote())) {
                return l;
            }
        }
        return null;
    }

    boolean contains(InetSocketAddress remote) {
        return get(remote) != null;
    }

    /** Adds a link whose address no link of this table has ({@link #contains} said so). */
    void add(UdpLink link) {
        if (size >= table.length - (table.length >>> 2)) {
            grow();
        }
        int i = index(link.remote().hashCode(), table.length);
        link.nextInSocket = table[i];
        table[i] = link;
        size++;
    }

    /** Removes this link if it is here. */
    void remove(UdpLink link) {
        int i = index(link.remote().hashCode(), table.length);
        UdpLink prev = null;
        for (UdpLink l = table[i]; l != null; prev = l, l = l.nextInSocket) {
            if (l == link) {
                if (prev == null) {
                    table[i] = l.nextInSocket;
                } else {
                    prev.nextInSocket = l.nextInSocket;
                }
                l.nextInSocket = null;
                size--;
                return;
            }
        }
    }

    int size() {
        return size;
    }

    /** A copy of the links now (callers may add and remove while they go through it). */
    List<UdpLink> values() {
        List<UdpLink> all = new ArrayList<>(size);
        for (UdpLink head : table) {
            for (UdpLink l = head; l != null; l = l.nextInSocket) {
                all.add(l);
            }
        }
        return all;
    }

    private void grow() {
        UdpLink[] old = table;
        UdpLink[] t = new UdpLink[old.length * 2];
        for (UdpLink head : old) {
            UdpLink l = head;
            while (l != null) {
                UdpLink next = l.nextInSocket;
                int i = index(l.remote().hashCode(), t.length);
                l.nextInSocket = t[i];
                t[i] = l;
                l = next;
            }
        }
        table = t;
    }

    private static int index(int hash, int length) {
        return (hash ^ (hash >>> 16)) & (length - 1);
    }
}
