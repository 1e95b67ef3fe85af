package dev.heartbeat.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * A doubly linked list threaded through its elements' own two fields, for owners that keep
 * thousands of elements (a transport's links, a monitor's peers): two references an element
 * instead of a hash-set node and a table slot. The owner says where the two fields are:
 * {@code new ThreadedList<>(l -> l.prev, l -> l.next, (l, p) -> l.prev = p, (l, n) -> l.next = n)}.
 *
 * <p>Not thread-safe: the owner guards it, e.g. by synchronizing on the list. An element is on at
 * most one list at a time. Internal use only.
 *
 * @param <T> the elements
 */
public final class ThreadedList<T> {

    private T first;
    private int size;

    private final UnaryOperator<T> prev;
    private final UnaryOperator<T> next;
    private final BiConsumer<T, T> setPrev;
    private final BiConsumer<T, T> setNext;

    /**
     * @param prev reads an element's field for the one before it
     * @param next reads its field for the one after it
     * @param setPrev writes the first field
     * @param setNext writes the second
     */
    public ThreadedList(UnaryOperator<T> prev, UnaryOperator<T> next, BiConsumer<T, T> setPrev, BiConsumer<T, T> setNext) {
        this.prev = prev;
        this.next = next;
        this.setPrev = setPrev;
        this.setNext = setNext;
    }

    /** Puts {@code e}, which is on no list, first. */
    public void add(T e) {
        setPrev.accept(e, null);
        setNext.accept(e, first);
        if (first != null) {
            setPrev.accept(first, e);
        }
        first = e;
        size++;
    }

    /** Takes {@code e} off the list; false (and nothing done) when it is not on it. */
    public boolean remove(T e) {
        T p = prev.apply(e);
        if (p == null && first != e) {
            return false;
        }
        T n = next.apply(e);
        if (p != null) {
            setNext.accept(p, n);
        } else {
            first = n;
        }
        if (n != null) {
            setPrev.accept(n, p);
        }
        setPrev.accept(e, null);
        setNext.accept(e, null);
        size--;
        return true;
    }

    /** The first element, or null when the list is empty. */
    public T first() {
        return first;
    }

    public int size() {
        return size;
    }

    /** The elements, first to last, in a new list (to act on them after leaving the owner's lock). */
    public List<T> toList() {
        List<T> all = new ArrayList<>(size);
        for (T e = first; e != null; e = next.apply(e)) {
            all.add(e);
        }
        return all;
    }
}
