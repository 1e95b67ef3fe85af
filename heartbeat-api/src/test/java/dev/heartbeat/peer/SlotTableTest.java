package dev.heartbeat.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SlotTableTest {

    private static List<PeerRegistry.Slot> all(SlotTable t) {
        List<PeerRegistry.Slot> out = new ArrayList<>();
        t.forEach(out::add);
        return out;
    }

    @Test
    void namesWithTheSameHashAreTheirOwnSlotsAndARemovalLeavesTheOthersFindable() {
        SlotTable t = new SlotTable();
        String[] same = {"AaAa", "AaBB", "BBAa", "BBBB"}; // one String hash
        assertThat(same).extracting(String::hashCode).containsOnly("AaAa".hashCode());
        List<PeerRegistry.Slot> added = new ArrayList<>();
        for (String n : same) {
            added.add(t.getOrAdd(n));
        }
        for (int i = 0; i < same.length; i++) {
            assertThat(t.get(same[i])).isSameAs(added.get(i)).extracting(s -> s.name).isEqualTo(same[i]);
            assertThat(t.getOrAdd(same[i])).isSameAs(added.get(i));
        }
        t.remove(new PeerRegistry.Slot("AaBB"));   // another instance of the name: not removed
        assertThat(t.get("AaBB")).isSameAs(added.get(1));
        t.remove(added.get(1));                    // the second of the run: the ones behind it stay findable
        assertThat(t.get("AaBB")).isNull();
        assertThat(t.get("BBAa")).isSameAs(added.get(2));
        assertThat(t.get("BBBB")).isSameAs(added.get(3));
        assertThat(t.get("(removed)")).isNull();
        PeerRegistry.Slot again = t.getOrAdd("AaBB"); // takes the removed one's cell again
        assertThat(again).isNotSameAs(added.get(1));
        assertThat(all(t)).containsExactlyInAnyOrder(added.get(0), again, added.get(2), added.get(3));
    }

    @Test
    void theTableGrowsWithItsNamesAndShrinksWhenMostAreGone() {
        SlotTable t = new SlotTable();
        assertThat(t.capacity()).isEqualTo(SlotTable.MIN_CAPACITY);
        List<PeerRegistry.Slot> added = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            added.add(t.getOrAdd("p" + i));
        }
        assertThat(t.capacity()).isEqualTo(16_384);  // at most three quarters full
        assertThat(all(t)).hasSize(10_000);
        for (int i = 0; i < 10_000; i++) {
            assertThat(t.get("p" + i)).isSameAs(added.get(i));
        }
        for (int i = 0; i < 9_990; i++) {
            t.remove(added.get(i));
        }
        assertThat(t.capacity()).isLessThanOrEqualTo(64);
        assertThat(all(t)).containsExactlyInAnyOrderElementsOf(added.subList(9_990, 10_000));
        assertThat(t.get("p5")).isNull();
        assertThat(t.get("p9995")).isSameAs(added.get(9_995));
    }

    @Test
    void capacitiesArePowersOfTwoAtMostTwoThirdsFull() {
        assertThat(SlotTable.capacityFor(0)).isEqualTo(16);
        assertThat(SlotTable.capacityFor(10)).isEqualTo(16);
        assertThat(SlotTable.capacityFor(11)).isEqualTo(32);
        assertThat(SlotTable.capacityFor(5_000)).isEqualTo(8_192);
        assertThat(SlotTable.capacityFor(10_000)).isEqualTo(16_384);
        for (int mask : new int[] {15, 1023, (1 << 20) - 1}) {
            for (String n : new String[] {"", "p0", "p1", "a-much-longer-peer-name:8080"}) {
                assertThat(SlotTable.index(n, mask)).isBetween(0, mask);
            }
        }
    }

    @Test
    void behavesLikeAMapOverARandomRunOfAddsAndRemovals() {
        SlotTable t = new SlotTable();
        Map<String, PeerRegistry.Slot> model = new HashMap<>();
        Random random = new Random(14);
        for (int step = 0; step < 200_000; step++) {
            String name = "n" + random.nextInt(3_000);
            if (random.nextInt(3) == 0) {
                PeerRegistry.Slot s = model.remove(name);
                if (s != null) {
                    t.remove(s);
                }
            } else {
                PeerRegistry.Slot s = t.getOrAdd(name);
                PeerRegistry.Slot before = model.putIfAbsent(name, s);
                assertThat(s).isSameAs(before != null ? before : s);
            }
            if (step % 10_000 == 0) {
                assertThat(all(t)).containsExactlyInAnyOrderElementsOf(model.values());
            }
        }
        for (int i = 0; i < 3_000; i++) {
            assertThat(t.get("n" + i)).isSameAs(model.get("n" + i));
        }
        assertThat(all(t)).containsExactlyInAnyOrderElementsOf(model.values());
    }

    @Test
    void readersFindEveryStaySlotWhileAWriterAddsRemovesAndResizes() throws Exception {
        SlotTable t = new SlotTable();
        int stay = 500;
        PeerRegistry.Slot[] kept = new PeerRegistry.Slot[stay];
        for (int i = 0; i < stay; i++) {
            kept[i] = t.getOrAdd("stay-" + i);
        }
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            Future<Integer> reader = pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                int misses = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!done.get() && System.nanoTime() < deadline) {
                    for (int i = 0; i < stay; i++) {
                        if (t.get("stay-" + i) != kept[i]) {
                            misses++;
                        }
                    }
                }
                return misses;
            });
            Future<?> writer = pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                for (int round = 0; round < 20; round++) {    // grows to thousands of names and back: resizes
                    List<PeerRegistry.Slot> churn = new ArrayList<>();
                    for (int i = 0; i < 5_000; i++) {
                        churn.add(t.getOrAdd("churn-" + round + "-" + i));
                    }
                    for (PeerRegistry.Slot s : churn) {
                        t.remove(s);
                    }
                }
                return null;
            });
            start.countDown();
            writer.get(60, TimeUnit.SECONDS);
            done.set(true);
            assertThat(reader.get(60, TimeUnit.SECONDS)).isZero();
            assertThat(all(t)).containsExactlyInAnyOrder(kept);
        } finally {
            pool.shutdownNow();
        }
    }
}
