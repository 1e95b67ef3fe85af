package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What reaches a terminal from a peer is shown, never obeyed. */
class TextTest {

    /** Any character a terminal acts on: C0, DEL, C1, and the invisible format characters. */
    static final String ACTIVE = "[\\x00-\\x1f\\x7f-\\x9f\\u00ad\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\ufeff]";

    @Test
    void controlsAndBidiOverridesAreWrittenAsEscapes() {
        String hostile = "\u001b[2J\u001b]0;pwned\u0007\r\nALIVE USABLE\u0000\u202eevil\u009b31m\u2028\ud800x\u007f";
        String safe = Text.safe(hostile);
        assertThat(safe).isEqualTo("\\e[2J\\e]0;pwned\\x07\\r\\nALIVE USABLE\\x00\\u202eevil\\x9b31m\\u2028\\ud800x\\x7f");
        assertThat(safe).doesNotContainPattern(ACTIVE);
        assertThat(Text.safe("\u200b\ufeff\t\udb40\udc01")).isEqualTo("\\u200b\\ufeff\\t\\U000e0001");
    }

    @Test
    void printableTextInAnyScriptPassesUnchanged() {
        for (String ok : new String[] {"orders-1", "节点-北京", "Größe φ 8.04 >= 8.0", "a\\b", "🙂", "e\u0301"}) {
            assertThat(Text.safe(ok)).isSameAs(ok);
        }
        assertThat(Text.safe(null)).isEqualTo("null");
    }

    @Test
    void widthCountsTerminalColumns() {
        assertThat(Text.width("abc")).isEqualTo(3);
        assertThat(Text.width("节点")).isEqualTo(4);
        assertThat(Text.width("e\u0301")).isEqualTo(1);
        assertThat(Text.padRight("节点", 6)).isEqualTo("节点  ");
        assertThat(Text.padLeft("1", 3)).isEqualTo("  1");
    }

    @Test
    void fitCutsAtColumnsWithAnEllipsis() {
        assertThat(Text.fit("abcdef", 6)).isEqualTo("abcdef");
        assertThat(Text.fit("abcdefg", 6)).isEqualTo("abcde…");
        assertThat(Text.fit("节点节点", 5)).isEqualTo("节点…");
        assertThat(Text.fit("abc", 0)).isEqualTo("abc");
    }

    @Test
    void fitMiddleKeepsTheEndsThatTellNamesApart() {
        assertThat(Text.fitMiddle("127.0.0.1:17511", 11)).isEqualTo("127.0…17511");
        assertThat(Text.fitMiddle("127.0.0.1:17512", 11)).isEqualTo("127.0…17512");
        assertThat(Text.fitMiddle("127.0.0.1:17512", 15)).isEqualTo("127.0.0.1:17512");
        assertThat(Text.width(Text.fitMiddle("节点节点节点节点", 7))).isLessThanOrEqualTo(7);
    }
}
