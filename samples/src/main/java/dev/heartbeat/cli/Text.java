package dev.heartbeat.cli;

import java.util.Locale;

/**
 * Text for people's terminals. Whatever a peer sends (its node id, the bytes quoted in a reason)
 * and whatever a user typed (peer names) goes through {@link #safe(String)} before it is printed
 * in human output: a terminal obeys control characters, so a hostile peer could otherwise clear
 * the screen, set the window title, move the cursor to forge a line, or reverse the text that
 * follows (U+202E). The JSON outputs escape on their own ({@link Json}).
 *
 * <p>{@link #width(String)} and {@link #fit(String, int)} count terminal columns, not chars: a
 * CJK character takes two, a combining mark none, so columns stay aligned.
 */
final class Text {

    private Text() {
    }

    /**
     * {@code s} with every character a terminal would act on rather than show written as an escape:
     * C0 and C1 controls and DEL ({@code \e} for ESC, {@code \n}, {@code \r}, {@code \t}, else
     * {@code \xNN}), and invisible format characters, line and paragraph separators, unpaired
     * surrogates and unassigned code points ({@code \u202e}, {@code \U000e0001}). Printable text in
     * any script passes unchanged. Null is "null".
     */
    static String safe(String s) {
        if (s == null) {
            return "null";
        }
        int i = 0;
        while (i < s.length()) { // the usual case: nothing to escape, no copy
            int cp = s.codePointAt(i);
            if (mustEscape(cp)) {
                break;
            }
            i += Character.charCount(cp);
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (!mustEscape(cp)) {
                sb.appendCodePoint(cp);
            } else if (cp == 0x1b) {
                sb.append("\\e");
            } else if (cp == '\n') {
                sb.append("\\n");
            } else if (cp == '\r') {
                sb.append("\\r");
            } else if (cp == '\t') {
                sb.append("\\t");
            } else if (cp < 0x100) {
                sb.append(String.format(Locale.ROOT, "\\x%02x", cp));
            } else if (cp < 0x10000) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", cp));
            } else {
                sb.append(String.format(Locale.ROOT, "\\U%08x", cp));
            }
        }
        return sb.toString();
    }

    private static boolean mustEscape(int cp) {
        if (cp >= 0x20 && cp < 0x7f) {
            return false;
        }
        switch (Character.getType(cp)) {
            case Character.CONTROL:              // C0, DEL, C1
            case Character.FORMAT:               // bidi overrides and isolates, zero-width, BOM, soft hyphen
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.SURROGATE:            // unpaired
            case Character.UNASSIGNED:
            case Character.PRIVATE_USE:
                return true;
            default:
                return false;
        }
    }

    /** Terminal columns {@code s} takes (after {@link #safe}): 2 for wide characters, 0 for combining marks. */
    static int width(String s) {
        int w = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            w += columns(cp);
        }
        return w;
    }

    private static int columns(int cp) {
        int type = Character.getType(cp);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) {
            return 0;
        }
        return isWide(cp) ? 2 : 1;
    }

    /** East Asian Wide and Fullwidth ranges (the common ones), and emoji. */
    private static boolean isWide(int cp) {
        return cp >= 0x1100 && cp <= 0x115f
                || cp >= 0x2e80 && cp <= 0x303e
                || cp >= 0x3041 && cp <= 0x33ff
                || cp >= 0x3400 && cp <= 0x4dbf
                || cp >= 0x4e00 && cp <= 0x9fff
                || cp >= 0xa000 && cp <= 0xa4cf
                || cp >= 0xac00 && cp <= 0xd7a3
                || cp >= 0xf900 && cp <= 0xfaff
                || cp >= 0xfe30 && cp <= 0xfe4f
                || cp >= 0xff00 && cp <= 0xff60
                || cp >= 0xffe0 && cp <= 0xffe6
                || cp >= 0x1f300 && cp <= 0x1f64f
                || cp >= 0x1f900 && cp <= 0x1f9ff
                || cp >= 0x20000 && cp <= 0x3fffd;
    }

    /** {@code s} cut to at most {@code columns} terminal columns, ending in "…" when cut; {@code columns <= 0}: as is. */
    static String fit(String s, int columns) {
        if (columns <= 0 || width(s) <= columns) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        int w = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int c = columns(cp);
            if (w + c > columns - 1) {
                break;
            }
            sb.appendCodePoint(cp);
            w += c;
            i += Character.charCount(cp);
        }
        return sb.append('…').toString();
    }

    /**
     * {@code s} in at most {@code columns} columns, keeping its start and its end — the ends
     * are what tell {@code 127.0.0.1:17511} from {@code 127.0.0.1:17512}: {@code 127.0…17511}.
     */
    static String fitMiddle(String s, int columns) {
        if (columns <= 0 || width(s) <= columns) {
            return s;
        }
        if (columns < 3) {
            return fit(s, columns);
        }
        int tail = (columns - 1) / 2 + (columns - 1) % 2; // the end gets the odd column
        int head = columns - 1 - tail;
        int[] cps = s.codePoints().toArray();
        StringBuilder end = new StringBuilder();
        int w = 0;
        int j = cps.length;
        while (j > 0 && w + columns(cps[j - 1]) <= tail) {
            w += columns(cps[--j]);
        }
        for (int k = j; k < cps.length; k++) {
            end.appendCodePoint(cps[k]);
        }
        StringBuilder start = new StringBuilder();
        int used = 0;
        for (int k = 0; k < j && used + columns(cps[k]) <= head; k++) {
            start.appendCodePoint(cps[k]);
            used += columns(cps[k]);
        }
        return start.append('…').append(end).toString();
    }

    /** {@code s} padded with spaces to {@code columns} terminal columns (left-aligned). */
    static String padRight(String s, int columns) {
        int w = width(s);
        return w >= columns ? s : s + " ".repeat(columns - w);
    }

    /** {@code s} padded with spaces to {@code columns} terminal columns (right-aligned). */
    static String padLeft(String s, int columns) {
        int w = width(s);
        return w >= columns ? s : " ".repeat(columns - w) + s;
    }
}
