package dev.heartbeat.engine;

import java.security.SecureRandom;

/** Random epochs and starting sequence numbers (never guessable, never 0). */
final class Epochs {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Epochs() {
    }

    static long newEpoch() {
        long e;
        do {
            e = RANDOM.nextLong();
        } while (e == 0);
        return e;
    }

    static int newSequence() {
        return RANDOM.nextInt();
    }
}
