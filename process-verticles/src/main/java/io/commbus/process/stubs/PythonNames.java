package io.commbus.process.stubs;

import java.util.Set;
import java.util.regex.Pattern;

/** What Python accepts as a name, for the stubs' classes, keys and attributes. */
final class PythonNames {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Set<String> KEYWORDS = Set.of("False", "None", "True", "and", "as", "assert", "async",
      "await", "break", "class", "continue", "def", "del", "elif", "else", "except", "finally", "for", "from",
      "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
      "while", "with", "yield");

  private PythonNames() {
  }

  /** Whether {@code name} can be written as an attribute or a class field: an identifier that is no keyword. */
  static boolean usable(String name) {
    return IDENTIFIER.matcher(name).matches() && !KEYWORDS.contains(name);
  }

  /** {@code name} made usable as an attribute: other characters become {@code _}, a keyword gets one appended. */
  static String attribute(String name) {
    String cleaned = name.replaceAll("[^A-Za-z0-9_]", "_");
    if (cleaned.isEmpty() || Character.isDigit(cleaned.charAt(0))) {
      cleaned = "_" + cleaned;
    }
    return KEYWORDS.contains(cleaned) ? cleaned + "_" : cleaned;
  }

  /** {@code text} as a Python string literal in double quotes. */
  static String literal(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (c < ' ') {
            out.append(String.format("\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** A pool name as a class-name prefix: {@code py.trade-x} is {@code PyTradeX}. */
  static String camel(String name) {
    StringBuilder out = new StringBuilder();
    for (String part : name.split("[^A-Za-z0-9]+")) {
      if (!part.isEmpty()) {
        out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    String camel = out.toString();
    return camel.isEmpty() || Character.isDigit(camel.charAt(0)) ? "Pool" + camel : camel;
  }
}
