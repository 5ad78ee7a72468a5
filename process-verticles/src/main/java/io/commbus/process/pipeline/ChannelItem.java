package io.commbus.process.pipeline;

import io.vertx.core.buffer.Buffer;

/**
 * One item of a pipeline channel: {@code data} (a {@link Buffer} of raw bytes, or a JSON value:
 * a {@code JsonObject}, {@code JsonArray}, string, number or boolean), its number on the channel
 * (set by the writer: what is given here is ignored on the way out), and the timestamp and
 * content type its producer gave it, if any.
 */
public record ChannelItem(Object data, long seq, Double ts, String contentType) {

  /** Raw bytes, with nothing else said of them. */
  public static ChannelItem of(Buffer bytes) {
    return new ChannelItem(bytes, -1, null, null);
  }

  /** A JSON value. */
  public static ChannelItem json(Object value) {
    return new ChannelItem(value, -1, null, null);
  }

  /** This item with a timestamp and a content type. */
  public ChannelItem with(Double ts, String contentType) {
    return new ChannelItem(data, seq, ts, contentType);
  }
}
