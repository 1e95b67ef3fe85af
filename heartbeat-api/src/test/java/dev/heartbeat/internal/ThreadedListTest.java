package dev.heartbeat.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ThreadedListTest {

    static final class Node {
        final int id;
        Node prev;
        Node next;

        Node(int id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return "n" + id;
        }
    }

    static ThreadedList<Node> list() {
        return new ThreadedList<>(e -> e.prev, e -> e.next, (e, p) -> e.prev = p, (e, n) -> e.next = n);
    }

    @Test
    void addsFirstAndRemovesFromAnyPlaceOnce() {
        ThreadedList<Node> l = list();
        Node a = new Node(1);
        Node b = new Node(2);
        Node c = new Node(3);
        l.add(a);
        l.add(b);
        l.add(c);
        assertThat(l.toList()).containsExactly(c, b, a);
        assertThat(l.remove(b)).isTrue();
        assertThat(l.remove(b)).as("a second removal").isFalse();
        assertThat(l.toList()).containsExactly(c, a);
        assertThat(l.remove(c)).isTrue();
        assertThat(l.first()).isSameAs(a);
        assertThat(l.remove(a)).isTrue();
        assertThat(l.first()).isNull();
        assertThat(l.size()).isZero();
        assertThat(l.remove(new Node(4))).as("never added").isFalse();
    }

    @Test
    void agreesWithAPlainListOverRandomChanges() {
        SplittableRandom r = new SplittableRandom(7);
        ThreadedList<Node> l = list();
        List<Node> model = new ArrayList<>();
        List<Node> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            all.add(new Node(i));
        }
        for (int step = 0; step < 5_000; step++) {
            Node n = all.get(r.nextInt(all.size()));
            if (model.contains(n)) {
                assertThat(l.remove(n)).isTrue();
                model.remove(n);
            } else if (r.nextBoolean()) {
                l.add(n);
                model.add(0, n);
            } else {
                assertThat(l.remove(n)).isFalse();
            }
            assertThat(l.size()).isEqualTo(model.size());
        }
        assertThat(l.toList()).containsExactlyElementsOf(model);
    }
}
