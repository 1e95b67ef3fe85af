package dev.heartbeat.engine.spi;

/** Why a link lost (or never got) its connection. */
public enum DisconnectCause {
    /** The peer closed the connection in an orderly way (FIN on TCP). */
    CLOSED_BY_PEER,
    /** The connection was reset (RST on TCP): the peer's process died or its host rebooted. */
    RESET,
    /** Connecting failed (refused, unreachable, timed out). */
    CONNECT_FAILED,
    /** The peer sent bytes that are not valid frames; the link closed the connection. */
    PROTOCOL_ERROR,
    /** Any other I/O error. */
    ERROR,
    /** We closed it (peer removed, monitor closing). */
    CLOSED_LOCALLY
}
