package dev.heartbeat.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A doubly linked list threaded through its elements' own two fields, for owners that keep
 * thousands of elements (a transport's links, a monitor's peers): two references an element
 * instead of a hash-set node and a table slot. A subclass says where the two fields are.
 *
 * <p>Not thread-safe: the owner guards it, e.g. by synchronizing on the list. An element is on at
 * most one list at a time. Internal use only.
 *
 * @param <T> the elements
 */
public abstract class ThreadedList<T> {

    private T first;
    private int size;

    /** The element before {@code e}, or null. */
    protected abstract T prev(T e);

    /** The element after {@code e}, or null. */
    protected abstract T next(T e);

    protected abstract void setPrev(T e, T prev);

    protected abstract void setNext(T e, T next);

    /** Puts {@code e}, which is on no list, first. */
    public void add(T e) {
        setPrev(e, null);
        setNext(e, first);
        if (first != null) {
            setPrev(first, e);
        }
        first = e;
        size++;
    }

    /** Takes {@code e} off the list; false (and nothing done) when it is not on it. */
    public boolean remove(T e) {
        T p = prev(e);
        if (p == null && first != e) {
            return false;
        }
        T n = next(e);
        if (p != null) {
            setNext(p, n);
        } else {
            first = n;
        }
        if (n != null) {
            setPrev(n, p);
        }
        setPrev(e, null);
        setNext(e, null);
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
        for (T e = first; e != null; e = next(e)) {
            all.add(e);
        }
        return all;
    }
}
