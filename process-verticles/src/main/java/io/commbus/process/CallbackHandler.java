package io.commbus.process;

import io.commbus.bus.StreamSink;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/**
 * Serves a callback that child processes call as {@code commbus.<module>.<Type>(request)}. The
 * answer is always a stream: write one item, many, or none, then end the sink, or fail it with
 * an error. Honour the sink's flow control so a slow Python consumer slows the producer.
 *
 * @param <Q> the request type, read from the child's JSON with Jackson
 * @param <R> the item type, written to the child as JSON (a {@code Buffer} goes as raw bytes)
 */
public interface CallbackHandler<Q, R> {

  /** The module part of the path, e.g. {@code market}. */
  String module();

  /** The type part of the path, e.g. {@code MarketData}. */
  String typeName();

  /** The Java type of the request. */
  Class<Q> requestType();

  /**
   * The Java type of the items, for typed Python stubs ({@code commbus stubs}): by default the
   * {@code R} this class gives {@code CallbackHandler}, or {@code Object} (any JSON) when that
   * cannot be told, as for a lambda's.
   */
  default Type itemType() {
    return ItemTypes.of(getClass());
  }

  void handle(Q request, StreamSink<R> sink) throws Exception;

  /** {@code module.typeName}. */
  default String path() {
    return CallbackPaths.path(module(), typeName());
  }

  /** Finds the {@code R} a handler class gives {@code CallbackHandler}. */
  final class ItemTypes {
    private ItemTypes() {
    }

    static Type of(Class<?> handler) {
      for (Class<?> type = handler; type != null && type != Object.class; type = type.getSuperclass()) {
        for (Type implemented : type.getGenericInterfaces()) {
          if (implemented instanceof ParameterizedType parameterized
              && parameterized.getRawType() == CallbackHandler.class) {
            Type item = parameterized.getActualTypeArguments()[1];
            return item instanceof Class || item instanceof ParameterizedType ? item : Object.class;
          }
        }
      }
      return Object.class;
    }
  }

  /** The body of a handler built with {@link #of}. */
  @FunctionalInterface
  interface Body<Q, R> {
    void handle(Q request, StreamSink<R> sink) throws Exception;
  }

  /** A handler for {@code path} ({@code "market.MarketData"}) from a lambda, for handlers too small for a class. */
  static <Q, R> CallbackHandler<Q, R> of(String path, Class<Q> requestType, Body<Q, R> body) {
    return of(path, requestType, Object.class, body);
  }

  /** The same, with the item type its stubs declare ({@link #itemType()}), which a lambda cannot tell. */
  static <Q, R> CallbackHandler<Q, R> of(String path, Class<Q> requestType, Type itemType, Body<Q, R> body) {
    String checked = CallbackPaths.check(path);
    String module = checked.substring(0, checked.indexOf('.'));
    String type = checked.substring(checked.indexOf('.') + 1);
    return new CallbackHandler<>() {
      @Override
      public String module() {
        return module;
      }

      @Override
      public String typeName() {
        return type;
      }

      @Override
      public Class<Q> requestType() {
        return requestType;
      }

      @Override
      public Type itemType() {
        return itemType;
      }

      @Override
      public void handle(Q request, StreamSink<R> sink) throws Exception {
        body.handle(request, sink);
      }
    };
  }
}
