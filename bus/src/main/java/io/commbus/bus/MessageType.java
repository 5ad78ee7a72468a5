package io.commbus.bus;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names a message type on the wire. Without it a class's simple name is its type name.
 * Name types explicitly when several languages share them ({@code "trading.OrderPlaced"}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface MessageType {
  String value();
}
