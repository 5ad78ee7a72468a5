package io.commbus.node.config;

import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.ConfigSection;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code redis} section: the Redis server and the Redis Streams bridges the node runs
 * (docs/adapters.md). None by default.
 *
 * @param url the server, {@code redis://127.0.0.1:6379} by default
 * @param out streams the journal's events go out to
 * @param in  streams whose entries come in to the journal
 */
public record RedisBridgesConfig(String url, List<Out> out, List<In> in) {

  public static final String SECTION = "redis";
  public static final String DEFAULT_URL = "redis://127.0.0.1:6379";

  /** Events of {@code types} (none: every type) out to {@code stream}. */
  public record Out(String stream, Set<String> types) {
  }

  /** Entries of {@code stream} in, through Redis consumer group {@code group} as {@code consumer}, typed {@code type} unless an entry says. */
  public record In(String stream, String group, String consumer, String type) {
  }

  public RedisBridgesConfig {
    out = List.copyOf(out);
    in = List.copyOf(in);
  }

  public static RedisBridgesConfig none() {
    return new RedisBridgesConfig(DEFAULT_URL, List.of(), List.of());
  }

  public boolean isEmpty() {
    return out.isEmpty() && in.isEmpty();
  }

  /** Reads {@code {url, out: [{stream, types}], in: [{stream, group, consumer, type}]}}; streams unique per direction. */
  public static RedisBridgesConfig read(ConfigSection section) {
    String url = section.string("url", DEFAULT_URL);
    List<Out> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ConfigSection bridge : section.sections("out")) {
      String stream = bridge.string("stream", null);
      bridge.require("stream", stream, "the Redis stream the events go to");
      if (!seen.add(stream)) {
        throw new ConfigException(bridge.field("stream"), "\"" + stream + "\" is bridged out twice");
      }
      out.add(new Out(stream, bridge.has("types") ? Set.copyOf(bridge.strings("types")) : Set.of()));
      bridge.rejectUnknown();
    }
    List<In> in = new ArrayList<>();
    seen.clear();
    for (ConfigSection bridge : section.sections("in")) {
      String stream = bridge.string("stream", null);
      bridge.require("stream", stream, "the Redis stream the entries come from");
      String type = bridge.string("type", null);
      bridge.require("type", type, "the event type of an entry that names none");
      if (!seen.add(stream)) {
        throw new ConfigException(bridge.field("stream"), "\"" + stream + "\" is bridged in twice");
      }
      in.add(new In(stream, bridge.string("group", "commbus"), bridge.string("consumer", "commbus-node"), type));
      bridge.rejectUnknown();
    }
    section.rejectUnknown();
    return new RedisBridgesConfig(url, out, in);
  }
}
